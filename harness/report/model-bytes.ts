import type { ResultRow } from '../experiment/results.ts';
import type { Chart } from './charts.ts';
import type { ReportData } from './data.ts';
import { CHART_CONFIG, familyColour, round, SCHEMA, type Json, type JsonObject } from './style.ts';

/** The two pruning ladders of an n-gram configuration: count pruning (`prune`) and relative-entropy pruning (`entropyPrune`). */
const LADDERS = ['count', 'entropy'] as const;
export type Ladder = (typeof LADDERS)[number];

interface RunPoint {
  /** The result row's id: a run at the unpruned start of two curves is a point of each. */
  readonly run: string;
  readonly corpus: string;
  readonly family: string;
  readonly name: string;
  readonly modelBytes: number;
  readonly testPerplexity: number;
}

/** A point of a pruning curve. */
export interface CurvePoint extends RunPoint {
  /** The n-gram configuration (`mkn order=3`), the same on its two curves. */
  readonly configuration: string;
  /** `mkn order=3, count`. */
  readonly curve: string;
  readonly pruning: Ladder;
  /** The run's threshold as the tooltip shows it: `0,1` (count), `θ=1e-7` (entropy), `none` for the unpruned start. */
  readonly threshold: string;
}

/** A run of its own. */
export interface LonePoint extends RunPoint {
  readonly configuration: null;
  readonly curve: null;
  readonly pruning: null;
  readonly threshold: null;
}

/** A run on the chart: a point of a pruning curve, or a point of its own. */
export type BytesPoint = CurvePoint | LonePoint;

const drawable = (r: ResultRow): boolean =>
  r.testPerplexity !== null && Number.isFinite(r.testPerplexity) && r.testPerplexity > 0 && r.modelBytes !== null && r.modelBytes > 0;

/** "mkn order=3": a configuration's smoothing, order and other hyper-parameters but the pruning ones. */
function configurationName(hp: Record<string, unknown>): string {
  const rest = Object.entries(hp)
    .filter(([k]) => k !== 'smoothing')
    .sort(([a], [b]) => (a === 'order' ? -1 : b === 'order' ? 1 : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [String(hp.smoothing), ...rest].join(' ');
}

/** Where an n-gram run sits among its configuration's runs: at the unpruned start every ladder shares, or on one ladder. */
interface Rung {
  /** Corpus, protocol and every hyper-parameter but the pruning ones. */
  readonly configuration: string;
  readonly name: string;
  readonly ladder: Ladder | 'start';
  readonly threshold: string;
}

/** θ in the label as it is written in an experiment (`θ=1e-7`, `θ=3e-6`), not as JavaScript prints it (`0.000003`). */
const thetaLabel = (theta: unknown): string => `θ=${Number(theta).toExponential()}`;

/**
 * A run's rung, or undefined for a run on no ladder: not an n-gram, or pruned both ways (a point between the
 * ladders: which one it extends depends on which setting one reads as the step).
 */
function rungOf(r: ResultRow): Rung | undefined {
  if (r.model !== 'ngram') return undefined;
  const { prune, entropyPrune, ...rest } = JSON.parse(r.hyperParameters) as Record<string, unknown>;
  // results.csv keeps the hyper-parameters as canonical JSON (keys sorted), so equal configurations give equal text.
  const at = { configuration: `${r.corpus}\u0000${r.mode}\u0000${JSON.stringify(rest)}`, name: configurationName(rest) };
  if (prune !== undefined && entropyPrune !== undefined) return undefined;
  if (Array.isArray(prune)) return { ...at, ladder: 'count', threshold: prune.join(',') };
  if (entropyPrune !== undefined) return { ...at, ladder: 'entropy', threshold: thetaLabel(entropyPrune) };
  return { ...at, ladder: 'start', threshold: 'none' };
}

const laddersOf = (rung: Rung): readonly Ladder[] => (rung.ladder === 'start' ? LADDERS : [rung.ladder]);
const ladderKey = (rung: Rung, ladder: Ladder): string => `${rung.configuration}\u0000${ladder}`;

/** The ladders (by ladderKey) run at two settings at least, the unpruned start counting as one: those are curves. */
function drawnLadders(rungs: Iterable<Rung>): Set<string> {
  const settings = new Map<string, Set<string>>();
  for (const rung of rungs)
    for (const ladder of laddersOf(rung)) {
      const key = ladderKey(rung, ladder);
      settings.set(key, (settings.get(key) ?? new Set()).add(rung.threshold));
    }
  return new Set([...settings].filter(([, s]) => s.size >= 2).map(([key]) => key));
}

/**
 * The points of the chart. The n-gram runs of one corpus and protocol whose hyper-parameters differ only in
 * `prune` (count pruning, lmplz's --prune) make a curve when they are at two settings at least, the unpruned run
 * (neither `prune` nor `entropyPrune`) counting as one and being the curve's largest point; so do those that differ
 * only in `entropyPrune` (relative-entropy pruning, Stolcke 1998). Both curves of a configuration start at its
 * unpruned run, a point of each. Every other run, and a run with both settings, is a point of its own.
 */
export function modelBytesPoints(data: ReportData): BytesPoint[] {
  const rows = data.ok.filter(drawable);
  const rungs = new Map<ResultRow, Rung>();
  for (const r of rows) {
    const rung = rungOf(r);
    if (rung) rungs.set(r, rung);
  }
  const drawn = drawnLadders(rungs.values());
  const modes = new Set(rows.map((r) => r.mode)).size;
  const suffix = (r: ResultRow): string => (modes > 1 ? ` (${r.mode})` : '');
  return rows.flatMap((r): BytesPoint[] => {
    const point = {
      run: r.id,
      corpus: r.corpus,
      family: r.familyLabel,
      name: `${r.label}${suffix(r)}`,
      modelBytes: r.modelBytes!,
      testPerplexity: round(r.testPerplexity!),
    };
    const rung = rungs.get(r);
    const ladders = rung ? laddersOf(rung).filter((l) => drawn.has(ladderKey(rung, l))) : [];
    if (!rung || ladders.length === 0) return [{ ...point, configuration: null, curve: null, pruning: null, threshold: null }];
    const configuration = `${rung.name}${suffix(r)}`;
    return ladders.map((l) => ({ ...point, configuration, curve: `${configuration}, ${l}`, pruning: l, threshold: rung.threshold }));
  });
}

const OUTLIER = 4;

/** A log axis over the span of the values, with room around them (a nice log domain would run to whole decades). */
function logAxis(field: string, values: readonly number[], margin: number, format: string, title: string): JsonObject {
  const domain = [round(Math.min(...values) / margin), round(Math.max(...values) * margin)];
  return { field, type: 'quantitative', scale: { type: 'log', nice: false, domain }, axis: { format, labelOverlap: 'greedy' }, title };
}

/** Dashes telling the ladders apart, whose curves share the family's colour and their unpruned start. */
const LADDER_DASH: Readonly<Record<Ladder, readonly number[]>> = { count: [1, 0], entropy: [6, 3] };

function ladderDash(points: readonly BytesPoint[]): JsonObject {
  const present = LADDERS.filter((l) => points.some((p) => p.pruning === l));
  return { field: 'pruning', type: 'nominal', title: 'Pruning', scale: { domain: [...present], range: present.map((l) => [...LADDER_DASH[l]]) } };
}

/**
 * The chart's rows: `label` on a run that is the largest model of its curves (the unpruned start, where a
 * configuration's count and entropy curves meet: one label naming both), and `repeat` on the second copy of a
 * run (that start again, a vertex of the second curve), so that a run is one point, not two on top of each other.
 */
function chartValues(points: readonly BytesPoint[]): Json[] {
  const ends = new Map<string, CurvePoint>();
  for (const p of points) {
    const key = `${p.corpus}\u0000${p.curve}`;
    if (p.curve !== null && (ends.get(key)?.modelBytes ?? 0) < p.modelBytes) ends.set(key, p);
  }
  const endsOf = new Map<string, Ladder[]>();
  for (const p of ends.values()) endsOf.set(p.run, [...(endsOf.get(p.run) ?? []), p.pruning]);
  const seen = new Set<string>();
  return points.map((p) => {
    const repeat = seen.has(p.run);
    seen.add(p.run);
    const ladders = repeat ? undefined : endsOf.get(p.run);
    return { ...p, label: ladders ? `${p.configuration}, ${ladders.join(' and ')}` : null, repeat };
  });
}

/** Test perplexity against model bytes, or nothing when no n-gram configuration was run at two settings of one pruning. */
export function modelBytesChart(data: ReportData): Chart | undefined {
  const all = modelBytesPoints(data);
  if (!all.some((p) => p.curve !== null)) return undefined;
  // A run far above the rest (add-k's thousands beside the hundreds) would squeeze every curve flat: runs above
  // OUTLIER times the best perplexity of their corpus are named in the subtitle instead of drawn.
  const best = new Map<string, number>();
  for (const p of all) best.set(p.corpus, Math.min(best.get(p.corpus) ?? Infinity, p.testPerplexity));
  const points = all.filter((p) => p.testPerplexity <= OUTLIER * best.get(p.corpus)!);
  const above = [...new Set(all.filter((p) => !points.includes(p)).map((p) => p.name))];
  const x = logAxis(
    'modelBytes',
    points.map((p) => p.modelBytes),
    1.3,
    '~s',
    'Model size (bytes, log scale)',
  );
  const y = logAxis(
    'testPerplexity',
    points.map((p) => p.testPerplexity),
    1.05,
    '~g',
    'Test perplexity (log scale)',
  );
  const color = familyColour(points.map((p) => p.family));
  const values: Json[] = chartValues(points);
  const inner: JsonObject = {
    width: 520,
    height: 340,
    layer: [
      {
        transform: [{ filter: 'datum.curve !== null' }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x,
          y,
          color,
          strokeDash: ladderDash(points),
          detail: { field: 'curve', type: 'nominal' },
          order: { field: 'modelBytes', type: 'quantitative' },
        },
      },
      {
        transform: [{ filter: '!datum.repeat' }],
        mark: { type: 'point', filled: true, size: 55, opacity: 0.9 },
        encoding: {
          x,
          y,
          color,
          shape: { field: 'family', type: 'nominal', title: 'Model family' },
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Model' },
            { field: 'corpus', type: 'nominal', title: 'Corpus' },
            { field: 'threshold', type: 'nominal', title: 'Pruning threshold' },
            { field: 'modelBytes', type: 'quantitative', title: 'Model bytes', format: ',' },
            { field: 'testPerplexity', type: 'quantitative', title: 'Test perplexity', format: '.2f' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.label !== null' }],
        mark: { type: 'text', align: 'left', dx: 6, dy: -10, fontSize: 11 },
        encoding: { x, y, text: { field: 'label', type: 'nominal' }, color },
      },
    ],
  };
  const corpora = [...new Set(points.map((p) => p.corpus))];
  const body: JsonObject =
    corpora.length > 1
      ? { facet: { row: { field: 'corpus', type: 'nominal', title: 'Corpus' } }, spec: inner, resolve: { scale: { y: 'independent' } } }
      : inner;
  return {
    name: 'perplexity-vs-model-bytes',
    title: 'Test perplexity against model bytes',
    caption:
      'Every run at the bytes of its model: the n-gram runs that differ only in their count pruning (prune, as lmplz --prune) are a curve each, and so are those that differ only in their relative-entropy pruning (entropyPrune θ, Stolcke 1998, as SRILM -prune), both curves of a configuration from the same unpruned model down; every other run (and a run pruned both ways) is a point, so the pruning and the family that win at each size are the lowest there.',
    spec: {
      $schema: SCHEMA,
      title: {
        text: 'Test perplexity against model bytes',
        subtitle: [
          'Lines: one n-gram configuration at several count-pruning (solid) or relative-entropy (dashed) thresholds, from its unpruned run down (labelled at that end).',
          ...(above.length ? [`Not shown (above ${OUTLIER} × the best perplexity): ${above.join(', ')}.`] : []),
        ],
      },
      data: { values },
      config: CHART_CONFIG,
      ...body,
    },
  };
}
