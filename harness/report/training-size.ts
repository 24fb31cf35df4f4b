import type { ResultRow } from '../experiment/results.ts';
import { type LoadedRun, RunLoader, type SplitUnits, splitUnits } from '../comparison/runs.ts';
import { predictedSameTokens } from '../comparison/same-tokens.ts';
import { seedGroups } from '../comparison/select.ts';
import { pairedUnitBootstrap } from '../statistics/paired.ts';
import { type Chart, logTicks } from './charts.ts';
import { REPORT_COMPARISON_RESAMPLES } from './comparison.ts';
import type { ReportData } from './data.ts';
import { CHART_CONFIG, round, runChannels, SCHEMA, type Json, type JsonObject } from './style.ts';

/**
 * Chen & Goodman (1998, "An empirical study of smoothing techniques for language modeling", figures 3–6): every
 * smoothing's test cross-entropy minus a baseline's, against the training size, a panel per n-gram order. Their
 * baseline is a Jelinek-Mercer variant (interpolation with λ fitted on held-out data); ours is the plug-in's
 * Jelinek-Mercer with one λ per order, fitted by EM on the valid split, the method named here `jelinek-mercer`.
 */
export const BASELINE_METHOD = 'jelinek-mercer';

/** A point of the chart: one method at one order and one training size, against the baseline's run there. */
export interface SizeDifference {
  /** The runs' shared test set (see testSetKey), named by the corpora in it: a row of panels each. */
  readonly testSet: string;
  readonly order: number;
  /** The smoothing with its other hyper-parameters (`jelinek-mercer buckets=8`). */
  readonly method: string;
  readonly corpus: string;
  readonly trainTokens: number;
  /** Test cross-entropy of the method and of the baseline, bits per token (each the mean over its seeds). */
  readonly crossEntropy: number;
  readonly baseline: number;
  /** crossEntropy − baseline: negative when the method beats the baseline. */
  readonly difference: number;
  /** The 95% paired bootstrap interval of the difference; null when a run's per-token file is missing. */
  readonly low: number | null;
  readonly high: number | null;
}

export interface TrainingSizeDifferences {
  readonly points: readonly SizeDifference[];
  /** Chart subtitle lines on what is missing (intervals without per-token files). */
  readonly notes: readonly string[];
}

interface NgramRun {
  readonly row: ResultRow;
  readonly order: number;
  readonly method: string;
}

/** The smoothing and every other hyper-parameter but the order, `buckets=1` left out (it is Jelinek-Mercer's default). */
function methodOf(hp: Record<string, unknown>): string {
  const rest = Object.entries(hp)
    .filter(([k, v]) => k !== 'order' && k !== 'smoothing' && !(k === 'buckets' && v === 1))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [String(hp.smoothing), ...rest].join(' ');
}

function ngramRun(row: ResultRow): NgramRun | undefined {
  if (row.model !== 'ngram' || row.testPerplexity === null || !(row.testPerplexity > 0 && Number.isFinite(row.testPerplexity))) return undefined;
  if (row.trainTokens === null || row.trainTokens <= 0) return undefined;
  const hp = JSON.parse(row.hyperParameters) as Record<string, unknown>;
  if (typeof hp.order !== 'number' || typeof hp.smoothing !== 'string') return undefined;
  return { row, order: hp.order, method: methodOf(hp) };
}

/**
 * Runs that predicted the same test tokens: the same protocol, vocabulary size, test tokens, characters and
 * `<unk>`s. Slices of one corpus's train split that keep the whole corpus's vocabulary (`trainWords` with
 * `vocabularyFrom: "whole-train"`) agree on all of them and differ in their training tokens; the result rows
 * alone tell this, so the chart survives a folder whose per-token files were not kept (it then has no intervals).
 */
function testSetKey(row: ResultRow): string {
  return [row.mode, row.vocabSize, row.testTokens, row.testCharacters, row.testUnk].join('\u0000');
}

/** "brown-10k … brown-800k (sentence)": the corpora of a test set from the smallest training size to the largest. */
function testSetName(runs: readonly NgramRun[], modes: number): string {
  const corpora = [...new Map(runs.map((r) => [r.row.corpus, r.row.trainTokens!])).entries()].sort((a, b) => a[1] - b[1]).map(([c]) => c);
  const span = corpora.length > 2 ? `${corpora[0]} … ${corpora.at(-1)}` : corpora.join(', ');
  return modes > 1 ? `${span} (${runs[0]!.row.mode})` : span;
}

/** Mean over seeds of log2 of the test perplexity: the test cross-entropy in bits per token from the result rows. */
function rowCrossEntropy(rows: readonly ResultRow[]): number {
  return rows.reduce((s, r) => s + Math.log2(r.testPerplexity!), 0) / rows.length;
}

/** Both sides' test cross-entropy (bits per token, the mean over seeds) and the 95% interval of their difference. */
interface Estimate {
  readonly crossEntropy: number;
  readonly baseline: number;
  readonly low: number | null;
  readonly high: number | null;
}

/**
 * The paired bootstrap of two configurations' test cross-entropies, from their per-token files (each run's read
 * once: the baseline of a cell is in the pair of every method there); nothing when a file is missing or the runs
 * did not predict the same tokens.
 */
function pairedDifferences(data: ReportData, resamples: number): (a: readonly ResultRow[], b: readonly ResultRow[]) => Estimate | undefined {
  const loader = new RunLoader(data.dir);
  const loaded = new Map<string, { run: LoadedRun; units: SplitUnits }>();
  const load = (row: ResultRow): { run: LoadedRun; units: SplitUnits } => {
    let entry = loaded.get(row.id);
    if (!entry) {
      const run = loader.load(row, 'test');
      entry = { run, units: splitUnits(run) };
      loaded.set(row.id, entry);
    }
    return entry;
  };
  return (a, b) => {
    if (![...a, ...b].every((r) => data.tokens.has(r.id))) return undefined;
    const [sideA, sideB] = [a.map(load), b.map(load)];
    const reference = sideA[0]!.run;
    if (![...sideA, ...sideB].every((r) => predictedSameTokens(reference, r.run))) return undefined;
    const result = pairedUnitBootstrap(
      { a: sideA.map((r) => r.units.logprob), b: sideB.map((r) => r.units.logprob), denominators: sideA[0]!.units.tokens, statistic: 'bits-per-token' },
      { resamples },
    );
    return { crossEntropy: result.a, baseline: result.b, low: result.difference.low, high: result.difference.high };
  };
}

/**
 * Each method's test cross-entropy minus the baseline's, at every order and training size where both were run
 * on the same test tokens, with the 95% interval of Koehn's paired bootstrap (harness/statistics/paired.ts, the
 * report's comparisons' test: the same resampled test sentences for both sides). Empty unless some test set has
 * n-gram runs of the baseline and another method at two training sizes at least.
 */
export function trainingSizeDifferences(data: ReportData, resamples = REPORT_COMPARISON_RESAMPLES): TrainingSizeDifferences {
  const bySet = new Map<string, NgramRun[]>();
  for (const row of data.ok) {
    const run = ngramRun(row);
    if (run) bySet.set(testSetKey(row), [...(bySet.get(testSetKey(row)) ?? []), run]);
  }
  const modes = new Set(data.ok.map((r) => r.mode)).size;
  const paired = pairedDifferences(data, resamples);
  const points: SizeDifference[] = [];
  const withoutTokens = new Set<string>();
  for (const runs of bySet.values()) {
    // The configurations (every seed of each) at each corpus × order × method.
    const byCell = new Map<string, { order: number; method: string; rows: ResultRow[] }>();
    for (const g of seedGroups(runs.map((r) => r.row))) {
      const run = runs.find((r) => r.row === g.runs[0])!;
      const key = `${run.row.corpus}\u0000${run.order}\u0000${run.method}`;
      const cell = byCell.get(key);
      // Two configurations of one method (a grid entry run twice under two labels) count once: the first.
      if (!cell) byCell.set(key, { order: run.order, method: run.method, rows: [...g.runs] });
    }
    const found: SizeDifference[] = [];
    for (const cell of byCell.values()) {
      if (cell.method === BASELINE_METHOD) continue;
      const first = cell.rows[0]!;
      const base = byCell.get(`${first.corpus}\u0000${cell.order}\u0000${BASELINE_METHOD}`);
      if (!base) continue;
      const estimate = paired(cell.rows, base.rows) ?? {
        crossEntropy: rowCrossEntropy(cell.rows),
        baseline: rowCrossEntropy(base.rows),
        low: null,
        high: null,
      };
      if (estimate.low === null) withoutTokens.add(first.corpus);
      found.push({
        testSet: '',
        order: cell.order,
        method: cell.method,
        corpus: first.corpus,
        trainTokens: first.trainTokens!,
        ...estimate,
        difference: estimate.crossEntropy - estimate.baseline,
      });
    }
    // A curve needs two training sizes; orders and methods with one are left out.
    const sizes = new Map<string, Set<number>>();
    for (const p of found) sizes.set(`${p.order}\u0000${p.method}`, (sizes.get(`${p.order}\u0000${p.method}`) ?? new Set()).add(p.trainTokens));
    const curves = found.filter((p) => sizes.get(`${p.order}\u0000${p.method}`)!.size >= 2);
    const name = testSetName(runs, modes);
    points.push(...curves.map((p) => ({ ...p, testSet: name })));
  }
  const notes = withoutTokens.size
    ? [`No intervals at ${[...withoutTokens].join(', ')}: per-token files missing there (the differences are the result rows').`]
    : [];
  return { points, notes };
}

/** 1, 2 and 5 × 10^k training tokens (10k, 20k, 50k, …) as Chen & Goodman's log axes mark them, the sizes run between. */
function sizeAxis(points: readonly SizeDifference[]): JsonObject {
  const sizes = points.map((p) => p.trainTokens);
  const [min, max] = [Math.min(...sizes), Math.max(...sizes)];
  return { values: logTicks(min, max).filter((t) => t >= min / 2 && t <= max * 2), format: '~s', labelOverlap: 'greedy', grid: true };
}

/** The largest distance from a difference to an end of its interval, in bits per token. */
function halfWidth(points: readonly SizeDifference[]): number {
  return Math.max(...points.flatMap((p) => (p.low === null || p.high === null ? [] : [p.difference - p.low, p.high - p.difference])));
}

/** The sentence naming the methods better than the baseline at every order and size (their whole interval below 0). */
function everywhereBetter(points: readonly SizeDifference[], methods: readonly string[]): string {
  const better = methods.filter((m) => points.every((p) => p.method !== m || (p.high ?? p.difference) < 0));
  if (!better.length) return '';
  const where = new Set(points.map((p) => p.order)).size > 1 ? 'at every order and training size' : 'at every training size';
  return ` Better than the baseline ${where}: ${better.join(', ')}.`;
}

/** The chart of trainingSizeDifferences, or nothing when no test set has curves to draw. */
export function trainingSizeChart(data: ReportData, resamples = REPORT_COMPARISON_RESAMPLES): Chart | undefined {
  const { points, notes } = trainingSizeDifferences(data, resamples);
  if (!points.length) return undefined;
  // Legend (and colour) order: the best method first, by its mean difference over every point.
  const mean = new Map<string, number>();
  for (const m of new Set(points.map((p) => p.method))) {
    const of = points.filter((p) => p.method === m);
    mean.set(m, of.reduce((s, p) => s + p.difference, 0) / of.length);
  }
  const methods = [...mean].sort((a, b) => a[1] - b[1]).map(([m]) => m);
  const { color } = runChannels(
    'n-gram',
    methods.map((name) => ({ name, plugin: 'ngram' })),
  );
  const legend: JsonObject = { ...(color.legend as JsonObject), orient: 'right', direction: 'vertical', symbolType: 'circle', symbolSize: 80 };
  const colour: JsonObject = { ...color, title: 'Smoothing', sort: methods, legend };
  const shape: JsonObject = { field: 'name', type: 'nominal', title: 'Smoothing', sort: methods, legend };
  const values: Json[] = points.map((p) => ({
    testSet: p.testSet,
    order: p.order,
    name: p.method,
    corpus: p.corpus,
    trainTokens: p.trainTokens,
    crossEntropy: round(p.crossEntropy),
    baseline: round(p.baseline),
    difference: round(p.difference),
    low: p.low === null ? null : round(p.low),
    high: p.high === null ? null : round(p.high),
  }));
  const x: JsonObject = {
    field: 'trainTokens',
    type: 'quantitative',
    scale: { type: 'log', nice: false, padding: 12 },
    axis: sizeAxis(points),
    title: 'Training tokens (words and </s>; log scale)',
  };
  const y: JsonObject = {
    field: 'difference',
    type: 'quantitative',
    title: 'Test cross-entropy − baseline (bits/token)',
  };
  const hasIntervals = points.some((p) => p.low !== null);
  const inner: JsonObject = {
    width: 250,
    height: 220,
    layer: [
      { mark: { type: 'rule', color: '#555', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
      ...(hasIntervals
        ? [
            {
              transform: [{ filter: 'isValid(datum.low) && isValid(datum.high)' }],
              mark: { type: 'rule', strokeWidth: 1.5 },
              encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color: colour },
            },
          ]
        : []),
      { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color: colour, detail: { field: 'name', type: 'nominal' } } },
      {
        mark: { type: 'point', filled: true, size: 40, opacity: 1 },
        encoding: {
          x,
          y,
          color: colour,
          shape,
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Smoothing' },
            { field: 'order', type: 'ordinal', title: 'Order' },
            { field: 'corpus', type: 'nominal', title: 'Corpus' },
            { field: 'trainTokens', type: 'quantitative', title: 'Training tokens', format: ',' },
            { field: 'crossEntropy', type: 'quantitative', title: 'Test cross-entropy (bits/token)', format: '.4f' },
            { field: 'baseline', type: 'quantitative', title: 'Baseline (bits/token)', format: '.4f' },
            { field: 'difference', type: 'quantitative', title: 'Difference (bits/token)', format: '+.4f' },
            ...(hasIntervals
              ? [
                  { field: 'low', type: 'quantitative', title: '95% low', format: '+.4f' },
                  { field: 'high', type: 'quantitative', title: '95% high', format: '+.4f' },
                ]
              : []),
          ],
        },
      },
    ],
  };
  const testSets = [...new Set(points.map((p) => p.testSet))];
  const orderHeader: JsonObject = { field: 'order', type: 'ordinal', title: null, header: { labelExpr: "'order ' + datum.value", labelFontSize: 13 } };
  // One test set: the orders wrap two a row, so four panels stay on a page; several: a row each, an order a column.
  const facet: JsonObject =
    testSets.length > 1
      ? { facet: { row: { field: 'testSet', type: 'nominal', title: null }, column: orderHeader } }
      : { facet: orderHeader, columns: Math.min(2, new Set(points.map((p) => p.order)).size) };
  const subtitle = [
    '0 (dashed) = the baseline: Jelinek-Mercer with one λ per order, fitted by EM on valid',
    "(Chen & Goodman's baseline is a Jelinek-Mercer variant); below 0 is better than it.",
    ...(hasIntervals
      ? [
          `Bars: 95% paired bootstrap interval of each difference (Koehn 2004: ${REPORT_COMPARISON_RESAMPLES.toLocaleString('en-US')} resamples`,
          `of the test sentences, the same for both sides); the widest reaches ${halfWidth(points).toFixed(3)} bits from its difference.`,
        ]
      : []),
    ...notes,
  ];
  return {
    name: 'cross-entropy-vs-training-size',
    title: 'Test cross-entropy relative to the baseline against training size',
    caption:
      "Chen & Goodman (1998)'s comparison: each n-gram smoothing's test cross-entropy minus that of Jelinek-Mercer with one λ per order, for training sets cut from the same train split and scored on the same test tokens, a panel per order. " +
      'A line below 0 beats the baseline at that size; a bar that does not reach 0 is a difference the test set bears out.' +
      everywhereBetter(points, methods),
    spec: {
      $schema: SCHEMA,
      title: { text: 'Test cross-entropy relative to the baseline against training size', subtitle },
      data: { values },
      config: CHART_CONFIG,
      ...facet,
      spec: inner,
      resolve: { scale: { x: 'shared', y: 'shared' } },
    },
  };
}
