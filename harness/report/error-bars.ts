import type { ResultRow } from '../experiment/results.ts';
import { seedSummaries } from './seed-summary.ts';

/**
 * What a run-level chart draws as a model's uncertainty: a one-seed run's 95% bootstrap interval of the test
 * perplexity, or, for a configuration with several seeds, the mean ± 1 sample standard deviation over them.
 */
export interface ErrorBar {
  readonly low: number;
  readonly high: number;
  readonly kind: 'bootstrap' | 'seeds';
  /** The runs the bar stands for (the seeds of its configuration, or the run alone). */
  readonly ids: readonly string[];
}

/**
 * The error bar of each run that carries one, by run id: a configuration's seeds share one bar, carried by its
 * first seed; a run of an old results.csv without interval columns has none (the point alone, no fake bar).
 */
export function errorBars(rows: readonly ResultRow[]): Map<string, ErrorBar> {
  const bars = new Map<string, ErrorBar>();
  const inGroup = new Set<string>();
  for (const s of seedSummaries(rows)) {
    for (const r of s.runs) inGroup.add(r.id);
    const spread = s.testPerplexity;
    if (spread) bars.set(s.runs[0]!.id, { low: spread.mean - spread.sd, high: spread.mean + spread.sd, kind: 'seeds', ids: s.runs.map((r) => r.id) });
  }
  for (const r of rows) {
    if (r.status !== 'ok' || inGroup.has(r.id) || r.testPerplexityLow === null || r.testPerplexityHigh === null) continue;
    bars.set(r.id, { low: r.testPerplexityLow, high: r.testPerplexityHigh, kind: 'bootstrap', ids: [r.id] });
  }
  return bars;
}

/** The chart subtitle lines that say what the bars are (only the kinds drawn), short enough for a chart's width. */
export function errorBarNote(bars: Iterable<ErrorBar>): string[] {
  const kinds = new Set([...bars].map((b) => b.kind));
  return [
    ...(kinds.has('bootstrap') ? ["Error bars: a run's 95% bootstrap interval of its test perplexity."] : []),
    ...(kinds.has('seeds') ? [`${kinds.has('bootstrap') ? 'A' : 'Error bars: a'} configuration with several seeds: mean ± 1 sample sd over them.`] : []),
  ];
}
