import type { ResultRow } from '../experiment/results.ts';
import type { Breakdown, ReportData } from './data.ts';
import { errorBarNote, errorBars, type ErrorBar } from './error-bars.ts';
import { seedSummaries } from './seed-summary.ts';
import { MIXTURE_FAMILY } from '../mixture/family.ts';
import { CHART_CONFIG, familyColour, familyNameRank, MIB, round, runChannels, SCHEMA, type Json, type JsonObject } from './style.ts';

/** A chart of the report: its file name (without extension), its heading and its Vega-Lite spec. */
export interface Chart {
  readonly name: string;
  readonly title: string;
  /** One sentence on what to read from it. */
  readonly caption: string;
  readonly spec: JsonObject;
}

/** Counts and rates spanning decades: SI prefixes (10k, 1M) keep the labels of a log axis apart. */
const LOG_COUNT_AXIS: JsonObject = { format: '~s', labelOverlap: 'greedy' };

/** 1, 2 and 5 times each power of ten from below `min` to above `max`: log-axis labels that never crowd. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
  return ticks.filter((t) => t >= 10 ** Math.floor(Math.log10(min)) && t <= 10 ** Math.ceil(Math.log10(max)));
}

/** What every run-level chart knows of a successful run. */
interface RunPoint {
  id: string;
  corpus: string;
  corpusId: string;
  /** Null in rows from before bits per character (NaN would not survive the spec's JSON). */
  testBitsPerCharacter: number | null;
  family: string;
  plugin: string;
  name: string;
  /** Grid order, so models keep the order of the config (by family first). */
  order: number;
  seed: number;
  testPerplexity: number;
  validPerplexity: number;
  parameters: number;
  modelMiB: number;
  /** maxRSS of the run's process before the model existed (Node, the corpus). */
  baselineRssMiB: number;
  peakRssMiB: number;
  trainSeconds: number;
  trainTokensPerSecond: number;
  scoringTokensPerSecond: number;
  /** The ends of the run's error bar (see errorBars): null on the other seeds of its configuration, and without an interval. */
  barLow: number | null;
  barHigh: number | null;
  /** Where the bar's value label goes: right of the bar, its error bar and its seeds. */
  labelX: number;
}

const num = (x: number | null): number => x ?? NaN;

/** The name a run has on charts: its label, with the protocol when the results mix protocols. */
function runNamer(rows: readonly ResultRow[]): (r: ResultRow) => string {
  const modes = new Set(rows.map((r) => r.mode));
  return (r) => (modes.size > 1 ? `${r.label} (${r.mode})` : r.label);
}

function orderedRows(rows: readonly ResultRow[]): ResultRow[] {
  return [...rows].sort(
    (a, b) =>
      familyNameRank(a.familyLabel) - familyNameRank(b.familyLabel) ||
      (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : 0) ||
      a.cell - b.cell,
  );
}

function runPoints(data: ReportData, bars: ReadonlyMap<string, ErrorBar>): RunPoint[] {
  const name = runNamer(data.ok);
  return orderedRows(data.ok).map((r, order) => ({
    id: r.id,
    corpusId: r.corpusId,
    testBitsPerCharacter: r.testBitsPerCharacter,
    barLow: bars.get(r.id)?.low ?? null,
    barHigh: bars.get(r.id)?.high ?? null,
    labelX: Math.max(num(r.testPerplexity), bars.get(r.id)?.high ?? 0),
    corpus: r.corpus,
    family: r.familyLabel,
    plugin: r.model,
    name: name(r),
    order,
    seed: r.seed,
    testPerplexity: num(r.testPerplexity),
    validPerplexity: num(r.validPerplexity),
    parameters: num(r.parameters),
    modelMiB: round(num(r.modelBytes) / MIB),
    baselineRssMiB: round(num(r.baselineRssBytes) / MIB),
    peakRssMiB: round(num(r.peakRssBytes) / MIB),
    trainSeconds: round(num(r.trainSeconds)),
    trainTokensPerSecond: round(num(r.trainTokensPerSecond)),
    scoringTokensPerSecond: round(num(r.scoringTokensPerSecond)),
  }));
}

const finitePerplexity = (p: RunPoint): boolean => Number.isFinite(p.testPerplexity) && p.testPerplexity > 0;

function notShown(points: readonly RunPoint[]): string[] {
  const names = (pick: (p: RunPoint) => boolean): string[] => [...new Set(points.filter(pick).map((p) => p.name))];
  const infinite = names((p) => p.testPerplexity === Infinity);
  // A NaN perplexity (results from before diverged runs were failed) is a diverged run, not a probability 0.
  const broken = names((p) => !finitePerplexity(p) && p.testPerplexity !== Infinity);
  return [
    ...(infinite.length ? [`Not shown (infinite perplexity: a test token had probability 0): ${infinite.join(', ')}.`] : []),
    ...(broken.length ? [`Not shown (diverged: NaN perplexity): ${broken.join(', ')}.`] : []),
  ];
}

function asJson<T extends object>(rows: readonly T[]): Json[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v as Json])));
}

/** Several corpora become rows of a facet; one corpus needs none. */
function chart(
  name: string,
  title: string,
  caption: string,
  subtitle: readonly string[],
  values: Json[],
  inner: JsonObject,
  options: { corpora: readonly string[]; column?: JsonObject; independent?: readonly ('x' | 'y')[] },
): Chart {
  const top: JsonObject = {
    $schema: SCHEMA,
    title: subtitle.length ? { text: title, subtitle: [...subtitle] } : title,
    data: { values },
    config: CHART_CONFIG,
  };
  const facet: JsonObject = {};
  if (options.corpora.length > 1) facet.row = { field: 'corpus', type: 'nominal', title: 'Corpus' };
  if (options.column) facet.column = options.column;
  const spec: JsonObject = Object.keys(facet).length
    ? {
        ...top,
        facet,
        spec: inner,
        resolve: { scale: Object.fromEntries((options.independent ?? []).map((c) => [c, 'independent'])) },
      }
    : { ...top, ...inner };
  return { name, title, caption, spec };
}

/** What a line chart by family knows of each of its points. */
interface RunValue {
  corpus: string;
  family: string;
  plugin: string;
  name: string;
}

/**
 * Small multiples of line charts: a panel per family, in the families' order, where colour (a run) and dash
 * (a plug-in) tell its runs apart and its own legend names them; both axes are shared, so panels compare.
 */
function familyPanels<V extends RunValue>(
  name: string,
  title: string,
  caption: string,
  subtitle: readonly string[],
  values: readonly V[],
  layer: (runs: ReturnType<typeof runChannels>, inPanel: readonly V[]) => JsonObject[],
): Chart {
  const families = [...new Set(values.map((v) => v.family))].sort((a, b) => familyNameRank(a) - familyNameRank(b) || (a < b ? -1 : 1));
  const corpora = corporaOf(values);
  const panels = families.map((family): JsonObject => {
    const inPanel = values.filter((v) => v.family === family);
    const inner: JsonObject = { width: 360, height: 240, layer: layer(runChannels(family, inPanel), inPanel) };
    const panel: JsonObject = { title: { text: family, fontSize: 13 }, transform: [{ filter: { field: 'family', equal: family } }] };
    return corpora.length > 1 ? { ...panel, facet: { row: { field: 'corpus', type: 'nominal', title: 'Corpus' } }, spec: inner } : { ...panel, ...inner };
  });
  return {
    name,
    title,
    caption,
    spec: {
      $schema: SCHEMA,
      title: subtitle.length ? { text: title, subtitle: [...subtitle] } : title,
      data: { values: asJson(values) },
      config: CHART_CONFIG,
      columns: Math.min(2, panels.length),
      concat: panels,
      resolve: { scale: { x: 'shared', y: 'shared', color: 'independent', strokeDash: 'independent' } },
    },
  };
}

const modelAxis = (title = 'Model'): JsonObject => ({
  field: 'name',
  type: 'nominal',
  title,
  sort: { field: 'order', op: 'min' },
});

const tooltip = (extra: JsonObject[] = []): Json => [
  { field: 'name', type: 'nominal', title: 'Model' },
  { field: 'corpus', type: 'nominal', title: 'Corpus' },
  ...extra,
];

function corporaOf(points: readonly { corpus: string }[]): string[] {
  return [...new Set(points.map((p) => p.corpus))];
}

/** A rule from each bar-carrying point's `barLow` to its `barHigh` (no layer when no point has one: an empty layer warns). */
function errorRule(points: readonly { barLow: number | null }[], encoding: JsonObject): JsonObject[] {
  if (!points.some((p) => p.barLow !== null)) return [];
  return [{ transform: [{ filter: 'isValid(datum.barLow) && isValid(datum.barHigh)' }], mark: { type: 'rule', color: '#222', strokeWidth: 1.5 }, encoding }];
}

function testPerplexityChart(points: RunPoint[], bars: Iterable<ErrorBar>): Chart | undefined {
  const shown = points.filter(finitePerplexity);
  if (!shown.length) return undefined;
  const seeds = new Set(shown.map((p) => p.seed)).size;
  const ends = shown.flatMap((p) => [p.testPerplexity, ...(p.barLow !== null && p.barLow > 0 ? [p.barLow] : []), ...(p.barHigh !== null ? [p.barHigh] : [])]);
  const x: JsonObject = {
    field: 'testPerplexity',
    aggregate: 'mean',
    type: 'quantitative',
    stack: null,
    // Perplexities span decades (add-k's hundreds beside the tens of the rest): a log axis keeps every bar readable.
    scale: { type: 'log' },
    axis: { format: '~g', values: logTicks(Math.min(...ends), Math.max(...ends)) },
    title: seeds > 1 ? 'Test perplexity (mean over seeds; log scale; lower is better)' : 'Test perplexity (log scale; lower is better)',
  };
  const { aggregate: _mean, ...plainX } = x;
  const layer: JsonObject[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        y: modelAxis(),
        x,
        color: familyColour(shown.map((p) => p.family)),
        tooltip: tooltip([{ field: 'testPerplexity', aggregate: 'mean', type: 'quantitative', title: 'Test perplexity', format: '.2f' }]),
      },
    },
    ...errorRule(shown, { y: modelAxis(), x: { ...plainX, field: 'barLow' }, x2: { field: 'barHigh' } }),
    {
      mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
      encoding: {
        y: modelAxis(),
        x: { ...x, field: 'labelX', aggregate: 'max' },
        text: { field: 'testPerplexity', aggregate: 'mean', type: 'quantitative', format: '.1f' },
      },
    },
  ];
  if (seeds > 1) {
    layer.push({
      mark: { type: 'tick', color: '#222', thickness: 1.5 },
      encoding: { y: modelAxis(), x: { field: 'testPerplexity', type: 'quantitative' } },
    });
  }
  return chart(
    'test-perplexity',
    'Test perplexity by model',
    'Every run on the same test split by the same protocol; bars are grouped by family in the order of the experiment.',
    [...notShown(points), ...errorBarNote(bars), ...(seeds > 1 ? ['Ticks: individual seeds.'] : [])],
    asJson(shown),
    { width: 440, height: { step: 18 }, layer },
    { corpora: corporaOf(shown), independent: ['x'] },
  );
}

/**
 * Bits per character of the runs whose test text another corpus of the folder shares under another vocabulary
 * or tokenisation (equal `testTextSha256`, another corpus id): their word perplexities are not comparable, these are.
 */
function bitsPerCharacterChart(points: RunPoint[], data: ReportData): Chart | undefined {
  const textOf = (corpusId: string): string | undefined => data.corpora.get(corpusId)?.meta.testTextSha256;
  const corporaOfText = new Map<string, Set<string>>();
  for (const p of points) {
    const text = textOf(p.corpusId);
    if (text !== undefined && Number.isFinite(p.testBitsPerCharacter ?? NaN)) corporaOfText.set(text, (corporaOfText.get(text) ?? new Set()).add(p.corpusId));
  }
  // Corpora that share their text and their vocabulary (training sizes cut from one corpus, chen-goodman's) predict
  // the same tokens: their word perplexities compare, so they alone make no chart.
  const tokensOf = (corpusId: string): string => {
    const row = data.ok.find((r) => r.corpusId === corpusId);
    return `${row?.vocabSize}/${row?.testTokens}`;
  };
  const shared = (p: RunPoint): boolean => new Set([...(corporaOfText.get(textOf(p.corpusId) ?? '') ?? [])].map(tokensOf)).size > 1;
  const shown = points.filter((p) => Number.isFinite(p.testBitsPerCharacter ?? NaN) && shared(p)).map((p) => ({ ...p, name: `${p.name} (${p.corpus})` }));
  if (!shown.length) return undefined;
  const x: JsonObject = {
    field: 'testBitsPerCharacter',
    aggregate: 'mean',
    type: 'quantitative',
    stack: null,
    title: 'Test bits per character (lower is better)',
  };
  const seeds = new Set(shown.map((p) => p.seed)).size;
  const groups = [
    ...new Set(
      [...corporaOfText.values()]
        .filter((c) => new Set([...c].map(tokensOf)).size > 1)
        .map((c) => [...new Set(shown.filter((p) => c.has(p.corpusId)).map((p) => p.corpus))].join(', ')),
    ),
  ];
  return chart(
    'test-bits-per-character',
    'Test bits per character across vocabularies',
    'Runs that scored the same test text with different vocabularies or tokenisations: their word perplexities are not comparable (a perplexity is per token of its own vocabulary), bits per character of the same text are.',
    [`Same test text: ${groups.join('; ')}.`, ...(seeds > 1 ? ['Bars: the mean over seeds; ticks: individual seeds.'] : [])],
    asJson(shown),
    {
      width: 440,
      height: { step: 18 },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: modelAxis(),
            x,
            color: familyColour(shown.map((p) => p.family)),
            tooltip: tooltip([{ field: 'testBitsPerCharacter', aggregate: 'mean', type: 'quantitative', title: 'Test bits/char', format: '.3f' }]),
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
          encoding: { y: modelAxis(), x, text: { field: 'testBitsPerCharacter', aggregate: 'mean', type: 'quantitative', format: '.3f' } },
        },
        ...(seeds > 1
          ? [
              {
                mark: { type: 'tick', color: '#222', thickness: 1.5 },
                encoding: { y: modelAxis(), x: { field: 'testBitsPerCharacter', type: 'quantitative' } },
              },
            ]
          : []),
      ],
    },
    { corpora: [] },
  );
}

function scatter(
  points: RunPoint[],
  name: string,
  title: string,
  caption: string,
  xField: 'parameters' | 'trainSeconds',
  xTitle: string,
  frontier: boolean,
  bars: ReadonlyMap<string, ErrorBar>,
): Chart | undefined {
  const shown = points.filter((p) => finitePerplexity(p) && p[xField] > 0);
  if (!shown.length) return undefined;
  const x: JsonObject = {
    field: xField,
    type: 'quantitative',
    scale: { type: 'log' },
    title: xTitle,
    axis: xField === 'parameters' ? LOG_COUNT_AXIS : { format: '~g', labelOverlap: 'greedy' },
  };
  const y: JsonObject = { field: 'testPerplexity', type: 'quantitative', scale: { type: 'log' }, title: 'Test perplexity (log scale)' };
  // A configuration's bar stands at the mean of its seeds' x (their training times differ).
  const xOf = new Map(shown.map((p) => [p.id, p[xField]]));
  const barX = (p: RunPoint): number | null => {
    const xs = (bars.get(p.id)?.ids ?? []).map((id) => xOf.get(id)).filter((v): v is number => v !== undefined);
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const values = shown.map((p) => ({ ...p, frontier: false, barX: barX(p) }));
  if (frontier) {
    // The best perplexity reachable within each training time: the runs no faster run beats.
    for (const corpus of corporaOf(values)) {
      let best = Infinity;
      const inCorpus = values.filter((v) => v.corpus === corpus).sort((a, b) => a.trainSeconds - b.trainSeconds || a.order - b.order);
      for (const v of inCorpus) {
        if (v.testPerplexity < best) {
          best = v.testPerplexity;
          v.frontier = true;
        }
      }
    }
  }
  const points_: JsonObject = {
    mark: { type: 'point', filled: true, size: 70, opacity: 0.85 },
    encoding: {
      x,
      y,
      color: familyColour(shown.map((p) => p.family)),
      shape: { field: 'plugin', type: 'nominal', title: 'Plug-in' },
      tooltip: tooltip([
        { field: 'testPerplexity', type: 'quantitative', title: 'Test perplexity', format: '.2f' },
        { field: xField, type: 'quantitative', title: xTitle, format: xField === 'parameters' ? ',.0f' : '.3f' },
        { field: 'seed', type: 'quantitative', title: 'Seed' },
      ]),
    },
  };
  const rule = errorRule(values, {
    x: { ...x, field: 'barX' },
    y: { ...y, field: 'barLow' },
    y2: { field: 'barHigh' },
    color: familyColour(shown.map((p) => p.family)),
  });
  const layer: JsonObject[] = frontier
    ? [
        {
          transform: [{ filter: 'datum.frontier' }],
          mark: { type: 'line', interpolate: 'step-after', color: '#888', strokeDash: [4, 3] },
          encoding: { x, y, order: { field: 'trainSeconds', type: 'quantitative' } },
        },
        ...rule,
        points_,
      ]
    : [...rule, points_];
  return chart(
    name,
    title,
    caption,
    [
      ...notShown(points),
      ...errorBarNote(shown.flatMap((p) => bars.get(p.id) ?? [])),
      ...(frontier ? ['Dashed: the best test perplexity reached within each training time.'] : []),
    ],
    asJson(values),
    { width: 460, height: 300, layer },
    { corpora: corporaOf(shown), independent: ['x', 'y'] },
  );
}

function learningCurvesChart(data: ReportData): Chart | undefined {
  const name = runNamer(data.ok);
  const byId = new Map(data.ok.map((r) => [r.id, r]));
  const seedsOf = new Map(seedSummaries(data.ok).flatMap((s) => s.runs.map((r) => [r.id, s.runs.length] as const)));
  const values = data.curves
    .filter((c) => byId.has(c.id) && Number.isFinite(c.validPerplexity) && c.validPerplexity > 0)
    .map((c) => {
      const r = byId.get(c.id)!;
      return {
        corpus: r.corpus,
        family: r.familyLabel,
        plugin: r.model,
        name: name(r),
        run: `${name(r)} · seed ${r.seed}`,
        seeds: seedsOf.get(r.id) ?? 1,
        epoch: c.epoch,
        tokensSeen: c.tokensSeen,
        seconds: round(c.seconds),
        trainLoss: round(c.trainLoss),
        validPerplexity: round(c.validPerplexity),
      };
    });
  if (!values.length) return undefined;
  const banded = values.some((v) => v.seeds > 1);
  const x: JsonObject = { field: 'tokensSeen', type: 'quantitative', title: 'Training tokens seen', axis: LOG_COUNT_AXIS };
  // The data's own range: a log scale's nice domain would round 70–150 out to 10–1,000.
  const y: JsonObject = {
    field: 'validPerplexity',
    type: 'quantitative',
    scale: { type: 'log', nice: false, padding: 8 },
    title: 'Valid perplexity (log scale)',
  };
  return familyPanels(
    'learning-curves',
    'Learning curves',
    'Valid perplexity after each epoch of the neural models, against the training tokens seen: a panel per family, a line per run.',
    banded ? ['Bands: min–max over the seeds of a configuration with several.'] : [],
    values,
    ({ color, strokeDash }, inPanel): JsonObject[] => [
      ...(inPanel.some((v) => v.seeds > 1)
        ? [
            {
              transform: [{ filter: 'datum.seeds > 1' }],
              mark: { type: 'errorband', extent: 'min-max', opacity: 0.25 },
              encoding: { x, y: { ...y, title: 'Valid perplexity (log scale)' }, color },
            },
          ]
        : []),
      { mark: { type: 'line' }, encoding: { x, y, color, strokeDash, detail: { field: 'run', type: 'nominal' } } },
      {
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          x,
          y,
          color,
          tooltip: [
            { field: 'run', type: 'nominal', title: 'Run' },
            { field: 'epoch', type: 'quantitative', title: 'Epoch' },
            { field: 'validPerplexity', type: 'quantitative', title: 'Valid perplexity', format: '.2f' },
            { field: 'trainLoss', type: 'quantitative', title: 'Train loss (nats/token)', format: '.3f' },
            { field: 'seconds', type: 'quantitative', title: 'Seconds', format: '.1f' },
          ],
        },
      },
    ],
  );
}

/** Bars of two measures side by side (a column each), one bar per model: the mean over seeds. */
function measuresChart(
  points: RunPoint[],
  name: string,
  title: string,
  caption: string,
  measures: readonly { readonly field: keyof RunPoint; readonly title: string }[],
  log: boolean,
): Chart | undefined {
  const values = points.flatMap((p) =>
    measures
      .filter((m) => Number.isFinite(p[m.field] as number) && (!log || (p[m.field] as number) > 0))
      .map((m) => ({ corpus: p.corpus, family: p.family, name: p.name, order: p.order, seed: p.seed, measure: m.title, value: p[m.field] as number })),
  );
  if (!values.length) return undefined;
  const x: JsonObject = {
    field: 'value',
    aggregate: 'mean',
    type: 'quantitative',
    stack: null,
    title: null,
    ...(log ? { scale: { type: 'log' }, axis: LOG_COUNT_AXIS } : {}),
  };
  const encoding: JsonObject = {
    y: modelAxis(),
    x,
    color: familyColour(values.map((v) => v.family)),
    tooltip: tooltip([
      { field: 'measure', type: 'nominal', title: 'Measure' },
      { field: 'value', aggregate: 'mean', type: 'quantitative', title: 'Value', format: log ? ',.0f' : ',.2f' },
    ]),
  };
  // Bars on a log axis would start at an arbitrary floor, so throughput (spanning decades) is drawn as dots.
  const inner: JsonObject = log
    ? { width: 260, height: { step: 18 }, mark: { type: 'point', filled: true, size: 80 }, encoding }
    : { width: 260, height: { step: 18 }, mark: { type: 'bar' }, encoding };
  return chart(name, title, caption, [], asJson(values), inner, {
    corpora: corporaOf(values),
    column: { field: 'measure', type: 'nominal', title: null, sort: measures.map((m) => m.title) },
    independent: ['x'],
  });
}

const BEFORE_MODEL = 'before the model (Node, corpus)';

/**
 * Model size, and the run's peak RSS split into what the process held before the model existed (Node and
 * the corpus, the same for every model on a corpus) and what training and scoring added.
 */
function memoryChart(points: RunPoint[]): Chart | undefined {
  const SIZE = 'Model size (MiB)';
  const RSS = 'Peak RSS of the run (MiB)';
  // The mean over seeds of each part, computed here: Vega-Lite would stack means but warns that it does.
  const parts = new Map<string, { corpus: string; name: string; order: number; measure: string; family: string; part: number; sum: number; n: number }>();
  const add = (p: RunPoint, measure: string, family: string, part: number, value: number): void => {
    const key = JSON.stringify([p.corpus, p.name, measure, part]);
    const entry = parts.get(key) ?? { corpus: p.corpus, name: p.name, order: p.order, measure, family, part, sum: 0, n: 0 };
    entry.sum += value;
    entry.n++;
    parts.set(key, entry);
  };
  for (const p of points) {
    if (Number.isFinite(p.modelMiB)) add(p, SIZE, p.family, 1, p.modelMiB);
    if (Number.isFinite(p.peakRssMiB) && Number.isFinite(p.baselineRssMiB)) {
      add(p, RSS, BEFORE_MODEL, 0, p.baselineRssMiB);
      add(p, RSS, p.family, 1, p.peakRssMiB - p.baselineRssMiB);
    }
  }
  const values = [...parts.values()].map(({ sum, n, ...rest }) => ({ ...rest, value: round(sum / n) }));
  if (!values.length) return undefined;
  const families = values.map((v) => v.family).filter((f) => f !== BEFORE_MODEL);
  return chart(
    'memory',
    'Memory per model',
    "The model's own arrays and tables, and the peak resident memory of its run: what the process held before the model existed (grey) and what training and scoring added.",
    [],
    asJson(values),
    {
      width: 260,
      height: { step: 18 },
      mark: { type: 'bar' },
      encoding: {
        y: modelAxis(),
        x: { field: 'value', type: 'quantitative', stack: 'zero', title: null },
        color: familyColour(families, values.some((v) => v.family === BEFORE_MODEL) ? [{ name: BEFORE_MODEL, colour: '#d9d9d9' }] : []),
        order: { field: 'part', type: 'quantitative' },
        tooltip: tooltip([
          { field: 'measure', type: 'nominal', title: 'Measure' },
          { field: 'family', type: 'nominal', title: 'Part' },
          { field: 'value', type: 'quantitative', title: 'MiB (mean over seeds)', format: ',.2f' },
        ]),
      },
    },
    { corpora: corporaOf(values), column: { field: 'measure', type: 'nominal', title: null, sort: [SIZE, RSS] }, independent: ['x'] },
  );
}

function sizeVsContextChart(data: ReportData): Chart | undefined {
  const name = runNamer(data.ok);
  const seen = new Set<string>();
  const values: { corpus: string; family: string; plugin: string; name: string; series: string; context: number | null; parameters: number }[] = [];
  for (const r of orderedRows(data.ok)) {
    const key = `${r.corpus}\u0000${name(r)}`;
    if (seen.has(key) || r.parameters === null || r.parameters <= 0) continue;
    const context = r.contextLength;
    if (context === null) continue;
    seen.add(key);
    // The series is the run's name without the parameter that sets its context, so the points of one sweep join into a line.
    const series =
      context !== 'unbounded' && r.contextParameter
        ? name(r)
            .replace(new RegExp(`\\s*\\b${r.contextParameter}=\\S+`), '')
            .trim() || r.model
        : name(r);
    values.push({
      corpus: r.corpus,
      family: r.familyLabel,
      plugin: r.model,
      name: name(r),
      series,
      context: context === 'unbounded' ? null : context,
      parameters: r.parameters,
    });
  }
  if (!values.some((v) => v.context !== null)) return undefined;
  // A recurrent model conditions on the whole history: it stands at the right end, past every bounded
  // context, where the axis says "unbounded", with a dashed level showing its size does not grow.
  const unbounded = Math.max(...values.map((v) => v.context ?? 0)) + 1;
  const points = values.map((v) => ({ ...v, unbounded: v.context === null, from: 0, context: v.context ?? unbounded }));
  const hasUnbounded = points.some((p) => p.unbounded);
  const x: JsonObject = {
    field: 'context',
    type: 'quantitative',
    title: 'Context length (words of history)',
    scale: { domain: [0, hasUnbounded ? unbounded : unbounded - 1] },
    axis: { tickMinStep: 1, ...(hasUnbounded ? { labelExpr: `datum.value === ${unbounded} ? 'unbounded' : datum.label` } : {}) },
  };
  const y: JsonObject = { field: 'parameters', type: 'quantitative', scale: { type: 'log' }, title: 'Parameters (count, log scale)', axis: LOG_COUNT_AXIS };
  const color = familyColour(points.map((v) => v.family));
  const layer: JsonObject[] = [
    {
      transform: [{ filter: '!datum.unbounded' }],
      mark: { type: 'line' },
      encoding: { x, y, color, detail: { field: 'series', type: 'nominal' } },
    },
    ...(hasUnbounded
      ? [
          {
            transform: [{ filter: 'datum.unbounded' }],
            mark: { type: 'rule', strokeDash: [6, 3], opacity: 0.6 },
            encoding: { x: { ...x, field: 'from' }, x2: { field: 'context' }, y, color },
          },
        ]
      : []),
    {
      mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
      encoding: {
        x,
        y,
        color,
        shape: { field: 'plugin', type: 'nominal', title: 'Plug-in' },
        tooltip: tooltip([{ field: 'parameters', type: 'quantitative', title: 'Parameters', format: ',.0f' }]),
      },
    },
  ];
  return chart(
    'size-vs-context',
    'Model size against context length',
    "An n-gram model's table grows with its order and a window model's parameters grow linearly with its window; a recurrent model sees an unbounded history with parameters that do not grow (dashed)." +
      // issue 13 §3: a mixture has no one context length (each component has its own).
      (data.ok.some((r) => r.family === MIXTURE_FAMILY) ? ' Mixtures are left out: each of their components has a context length of its own.' : ''),
    [],
    asJson(points),
    { width: 460, height: 300, layer },
    { corpora: corporaOf(points), independent: ['y'] },
  );
}

function breakdownChart(
  data: ReportData,
  name: string,
  title: string,
  caption: string,
  pick: (t: { byFrequency: readonly Breakdown[]; byPosition: readonly Breakdown[] }) => readonly Breakdown[],
  xTitle: string,
): Chart | undefined {
  const namer = runNamer(data.ok);
  // Pool the seeds of a run: Σ ln p and token counts add up across them.
  const pooled = new Map<string, { row: ResultRow; buckets: { bucket: string; tokens: number; logprob: number }[] }>();
  for (const r of orderedRows(data.ok)) {
    const t = data.tokens.get(r.id);
    if (!t) continue;
    const key = `${r.corpus}\u0000${namer(r)}`;
    const b = pick(t);
    const entry = pooled.get(key);
    if (!entry) pooled.set(key, { row: r, buckets: b.map((x) => ({ ...x })) });
    else
      b.forEach((x, i) => {
        entry.buckets[i]!.tokens += x.tokens;
        entry.buckets[i]!.logprob += x.logprob;
      });
  }
  const values: (RunValue & { bucket: string; bucketOrder: number; tokens: number; perplexity: number })[] = [];
  const infinite = new Set<string>();
  for (const { row, buckets } of pooled.values()) {
    buckets.forEach((b, bucketOrder) => {
      if (b.tokens === 0) return;
      const perplexity = Math.exp(-b.logprob / b.tokens);
      if (!Number.isFinite(perplexity)) {
        infinite.add(namer(row));
        return;
      }
      values.push({
        corpus: row.corpus,
        family: row.familyLabel,
        plugin: row.model,
        name: namer(row),
        bucket: b.bucket,
        bucketOrder,
        tokens: b.tokens,
        perplexity: round(perplexity),
      });
    });
  }
  if (!values.length) return undefined;
  const x: JsonObject = {
    field: 'bucket',
    type: 'ordinal',
    title: xTitle,
    sort: { field: 'bucketOrder', op: 'min' },
    axis: { labelAngle: 0, labelFontSize: 10 },
  };
  const y: JsonObject = { field: 'perplexity', type: 'quantitative', scale: { type: 'log' }, title: 'Perplexity (log scale)' };
  return familyPanels(
    name,
    title,
    caption,
    infinite.size ? [`Missing points: buckets where a run gave a token probability 0 (${[...infinite].join(', ')}).`] : [],
    values,
    ({ color, strokeDash }): JsonObject[] => [
      { mark: { type: 'line' }, encoding: { x, y, color, strokeDash } },
      {
        mark: { type: 'point', filled: true, size: 36 },
        encoding: {
          x,
          y,
          color,
          tooltip: tooltip([
            { field: 'bucket', type: 'ordinal', title: 'Bucket' },
            { field: 'perplexity', type: 'quantitative', title: 'Perplexity', format: '.2f' },
            { field: 'tokens', type: 'quantitative', title: 'Test tokens', format: ',.0f' },
          ]),
        },
      },
    ],
  );
}

/**
 * A chart for each numeric hyper-parameter that a plug-in's runs sweep (an n-gram order, a window size, a
 * hidden size, …): test perplexity against the value, one line for each combination of the other values.
 */
function sweepCharts(data: ReportData, bars: ReadonlyMap<string, ErrorBar>): Chart[] {
  const namer = runNamer(data.ok);
  const byPlugin = new Map<string, ResultRow[]>();
  for (const r of orderedRows(data.ok)) byPlugin.set(r.model, [...(byPlugin.get(r.model) ?? []), r]);
  const charts: Chart[] = [];
  for (const [plugin, rows] of [...byPlugin].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const hps = rows.map((r) => JSON.parse(r.hyperParameters) as Record<string, Json>);
    const keys = [...new Set(hps.flatMap((h) => Object.keys(h)))].sort();
    const varying = keys.filter((k) => new Set(hps.map((h) => JSON.stringify(h[k]))).size > 1);
    for (const key of varying) {
      if (!hps.every((h) => typeof h[key] === 'number')) continue;
      if (new Set(hps.map((h) => h[key])).size < 2) continue;
      const others = varying.filter((k) => k !== key);
      let values = rows
        .map((r, i) => ({ r, h: hps[i]! }))
        .filter(({ r }) => r.testPerplexity !== null && Number.isFinite(r.testPerplexity) && r.testPerplexity > 0)
        .map(({ r, h }) => ({
          id: r.id,
          corpus: r.corpus,
          family: r.familyLabel,
          name: namer(r),
          series: others.length ? others.map((k) => `${k}=${typeof h[k] === 'string' ? h[k] : JSON.stringify(h[k])}`).join(' ') : plugin,
          value: h[key] as number,
          seed: r.seed,
          testPerplexity: r.testPerplexity,
          validPerplexity: num(r.validPerplexity),
          barLow: bars.get(r.id)?.low ?? null,
          barHigh: bars.get(r.id)?.high ?? null,
        }));
      // A sweep is a line: series with a single value of the key (another entry's fixed point) are left out.
      const perSeries = new Map<string, Set<number>>();
      for (const v of values) perSeries.set(`${v.corpus}\u0000${v.series}`, (perSeries.get(`${v.corpus}\u0000${v.series}`) ?? new Set()).add(v.value));
      values = values.filter((v) => perSeries.get(`${v.corpus}\u0000${v.series}`)!.size >= 2);
      if (values.length === 0) continue;
      // The bars of the series sit side by side around their value, so the intervals of close lines stay apart.
      const seriesNames = [...new Set(values.map((v) => v.series))];
      const step = Math.min(...[...new Set(values.map((v) => v.value))].sort((a, b) => a - b).flatMap((v, i, all) => (i ? [v - all[i - 1]!] : [])));
      const shifted = values.map((v) => ({ ...v, barValue: v.value + (seriesNames.indexOf(v.series) - (seriesNames.length - 1) / 2) * 0.04 * step }));
      const x: JsonObject = {
        field: 'value',
        type: 'quantitative',
        title: `${key} (${plugin} hyper-parameter)`,
        scale: { zero: false, padding: 16 },
        axis: { tickMinStep: 1 },
      };
      const y: JsonObject = { field: 'testPerplexity', aggregate: 'mean', type: 'quantitative', scale: { zero: false }, title: 'Test perplexity' };
      const color = familyColour(values.map((v) => v.family));
      const series: JsonObject = { field: 'series', type: 'nominal', title: others.length ? others.join(', ') : 'Series' };
      charts.push(
        chart(
          `sweep-${plugin}-${key}`.replace(/[^A-Za-z0-9_-]+/g, '-'),
          `${plugin}: test perplexity against ${key}`,
          `The runs of ${plugin} that differ in ${key}${others.length ? `, one line for each ${others.join(', ')}` : ''}.`,
          errorBarNote(values.flatMap((v) => bars.get(v.id) ?? [])),
          asJson(shifted),
          {
            width: 380,
            height: 260,
            layer: [
              ...errorRule(values, {
                x: { ...x, field: 'barValue' },
                y: { field: 'barLow', type: 'quantitative', scale: { zero: false } },
                y2: { field: 'barHigh' },
                color,
              }),
              {
                mark: { type: 'line' },
                encoding: { x, y, color, detail: { field: 'series', type: 'nominal' }, ...(others.length ? { strokeDash: series } : {}) },
              },
              {
                mark: { type: 'point', filled: true, size: 60 },
                encoding: {
                  x,
                  y,
                  color,
                  ...(others.length ? { shape: series } : {}),
                  tooltip: [
                    { field: 'series', type: 'nominal', title: 'Series' },
                    { field: 'value', type: 'quantitative', title: key },
                    { field: 'testPerplexity', aggregate: 'mean', type: 'quantitative', title: 'Test perplexity', format: '.2f' },
                  ],
                },
              },
            ],
          },
          { corpora: corporaOf(values), independent: ['y'] },
        ),
      );
    }
  }
  return charts;
}

/** Every chart the results support, in the order the report shows them. */
export function buildCharts(data: ReportData): Chart[] {
  const bars = errorBars(data.ok);
  const points = runPoints(data, bars);
  const charts: (Chart | undefined)[] = [
    testPerplexityChart(points, bars.values()),
    bitsPerCharacterChart(points, data),
    scatter(
      points,
      'perplexity-vs-parameters',
      'Test perplexity against model size',
      'Which family gets the most out of its parameters.',
      'parameters',
      'Parameters (count, log scale)',
      false,
      bars,
    ),
    scatter(
      points,
      'perplexity-vs-training-time',
      'Test perplexity against training time',
      'Which model gives the best perplexity for a time budget (wall-clock training on this machine, the validation passes between epochs included).',
      'trainSeconds',
      'Training time (s, log scale)',
      true,
      bars,
    ),
    learningCurvesChart(data),
    sizeVsContextChart(data),
    breakdownChart(
      data,
      'perplexity-by-frequency',
      'Perplexity by target-word frequency',
      'Test perplexity on the tokens whose target word was seen this often in training: where smoothing struggles and embeddings help.',
      (t) => t.byFrequency,
      'Training occurrences of the target word',
    ),
    breakdownChart(
      data,
      'perplexity-by-position',
      'Perplexity by position in the sentence',
      'Test perplexity at each position (1 = the first word after <s>): where a fixed window stops seeing the context a recurrent state still carries.',
      (t) => t.byPosition,
      'Position of the target in its sentence (tokens)',
    ),
    memoryChart(points),
    measuresChart(
      points,
      'throughput',
      'Training and scoring speed',
      'Training tokens per second (wall clock of training alone: the validation passes between epochs are left out) and test tokens scored per second.',
      [
        { field: 'trainTokensPerSecond', title: 'Training (tokens/s, log scale)' },
        { field: 'scoringTokensPerSecond', title: 'Scoring (tokens/s, log scale)' },
      ],
      true,
    ),
    ...sweepCharts(data, bars),
  ];
  return charts.filter((c): c is Chart => c !== undefined);
}
