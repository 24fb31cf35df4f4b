import type { ResultRow } from '../experiment/results.ts';
import type { Chart } from './charts.ts';
import type { ReportData } from './data.ts';
import { CHART_CONFIG, familyColour, round, SCHEMA, type Json, type JsonObject } from './style.ts';

/** A run on the chart: a point of a pruning curve, or a point of its own. */
export interface BytesPoint {
  readonly corpus: string;
  readonly family: string;
  readonly name: string;
  /** The pruning curve the run is on (`mkn order=3`), or null for a run of its own. */
  readonly curve: string | null;
  /** Its `prune` thresholds as the label shows them (`0,1`; `none` for the unpruned run of a curve). */
  readonly prune: string | null;
  readonly modelBytes: number;
  readonly testPerplexity: number;
}

const drawable = (r: ResultRow): boolean =>
  r.testPerplexity !== null && Number.isFinite(r.testPerplexity) && r.testPerplexity > 0 && r.modelBytes !== null && r.modelBytes > 0;

/** "mkn order=3": a curve's smoothing, order and other hyper-parameters but `prune`. */
function curveName(hp: Record<string, unknown>): string {
  const rest = Object.entries(hp)
    .filter(([k]) => k !== 'smoothing' && k !== 'prune')
    .sort(([a], [b]) => (a === 'order' ? -1 : b === 'order' ? 1 : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return [String(hp.smoothing), ...rest].join(' ');
}

/**
 * The runs of the chart: n-gram runs of one corpus and protocol whose hyper-parameters differ only in `prune`
 * (count pruning, lmplz's --prune) make a curve when there are two of them at least (the unpruned run, without
 * `prune`, is the curve's largest point); every other run is a point of its own.
 */
export function modelBytesPoints(data: ReportData): BytesPoint[] {
  const rows = data.ok.filter(drawable);
  const curves = new Map<string, ResultRow[]>();
  const keyOf = new Map<ResultRow, string>();
  for (const r of rows) {
    if (r.model !== 'ngram') continue;
    // results.csv keeps the hyper-parameters as canonical JSON (keys sorted), so equal configurations give equal text.
    const { prune: _prune, ...rest } = JSON.parse(r.hyperParameters) as Record<string, unknown>;
    const key = `${r.corpus}\u0000${r.mode}\u0000${JSON.stringify(rest)}`;
    keyOf.set(r, key);
    curves.set(key, [...(curves.get(key) ?? []), r]);
  }
  const pruneOf = (r: ResultRow): string => {
    const prune = (JSON.parse(r.hyperParameters) as { prune?: unknown }).prune;
    return Array.isArray(prune) ? prune.join(',') : 'none';
  };
  const onCurve = (r: ResultRow): boolean => {
    const key = keyOf.get(r);
    return key !== undefined && new Set(curves.get(key)!.map(pruneOf)).size >= 2;
  };
  const modes = new Set(rows.map((r) => r.mode)).size;
  return rows.map((r) => {
    const curve = onCurve(r) ? curveName(JSON.parse(r.hyperParameters) as Record<string, unknown>) : null;
    return {
      corpus: r.corpus,
      family: r.familyLabel,
      name: modes > 1 ? `${r.label} (${r.mode})` : r.label,
      curve: curve === null ? null : modes > 1 ? `${curve} (${r.mode})` : curve,
      prune: curve === null ? null : pruneOf(r),
      modelBytes: r.modelBytes!,
      testPerplexity: round(r.testPerplexity!),
    };
  });
}

const OUTLIER = 4;

/** A log axis over the span of the values, with room around them (a nice log domain would run to whole decades). */
function logAxis(field: string, values: readonly number[], margin: number, format: string, title: string): JsonObject {
  const domain = [round(Math.min(...values) / margin), round(Math.max(...values) * margin)];
  return { field, type: 'quantitative', scale: { type: 'log', nice: false, domain }, axis: { format, labelOverlap: 'greedy' }, title };
}

/** Test perplexity against model bytes, or nothing when no n-gram configuration was run at several `prune` settings. */
export function modelBytesChart(data: ReportData): Chart | undefined {
  const all = modelBytesPoints(data);
  if (!all.some((p) => p.curve !== null)) return undefined;
  // A run far above the rest (add-k's thousands beside the hundreds) would squeeze every curve flat: runs above
  // OUTLIER times the best perplexity of their corpus are named in the subtitle instead of drawn.
  const best = new Map<string, number>();
  for (const p of all) best.set(p.corpus, Math.min(best.get(p.corpus) ?? Infinity, p.testPerplexity));
  const points = all.filter((p) => p.testPerplexity <= OUTLIER * best.get(p.corpus)!);
  const above = all.filter((p) => !points.includes(p)).map((p) => p.name);
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
  // Each curve's label at its largest model: the unpruned end, where the curve starts its way down in size.
  const ends = new Map<string, BytesPoint>();
  for (const p of points)
    if (p.curve !== null && (ends.get(`${p.corpus}\u0000${p.curve}`)?.modelBytes ?? 0) < p.modelBytes) ends.set(`${p.corpus}\u0000${p.curve}`, p);
  const values: Json[] = points.map((p) => ({ ...p, curveEnd: p.curve !== null && ends.get(`${p.corpus}\u0000${p.curve}`) === p }));
  const inner: JsonObject = {
    width: 520,
    height: 340,
    layer: [
      {
        transform: [{ filter: 'datum.curve !== null' }],
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y, color, detail: { field: 'curve', type: 'nominal' }, order: { field: 'modelBytes', type: 'quantitative' } },
      },
      {
        mark: { type: 'point', filled: true, size: 55, opacity: 0.9 },
        encoding: {
          x,
          y,
          color,
          shape: { field: 'family', type: 'nominal', title: 'Model family' },
          tooltip: [
            { field: 'name', type: 'nominal', title: 'Model' },
            { field: 'corpus', type: 'nominal', title: 'Corpus' },
            { field: 'prune', type: 'nominal', title: 'prune' },
            { field: 'modelBytes', type: 'quantitative', title: 'Model bytes', format: ',' },
            { field: 'testPerplexity', type: 'quantitative', title: 'Test perplexity', format: '.2f' },
          ],
        },
      },
      {
        transform: [{ filter: 'datum.curveEnd' }],
        mark: { type: 'text', align: 'left', dx: 6, dy: -10, fontSize: 11 },
        encoding: { x, y, text: { field: 'curve', type: 'nominal' }, color },
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
      'Every run at the bytes of its model: the n-gram runs that differ only in their count pruning (prune, as lmplz --prune) are a curve each, from the unpruned model down, every other run a point, so the family that wins at each size is the lowest there.',
    spec: {
      $schema: SCHEMA,
      title: {
        text: 'Test perplexity against model bytes',
        subtitle: [
          'Lines: one n-gram configuration at several prune thresholds (labelled at its unpruned end).',
          ...(above.length ? [`Not shown (above ${OUTLIER} × the best perplexity): ${above.join(', ')}.`] : []),
        ],
      },
      data: { values },
      config: CHART_CONFIG,
      ...body,
    },
  };
}
