import { seedlessKey } from '../experiment/configuration.ts';
import type { ResultRow } from '../experiment/results.ts';

/** How a measure varies over the seeds of one configuration. */
export interface Spread {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (divisor n − 1). */
  readonly sd: number;
  readonly min: number;
  readonly max: number;
}

/** A configuration run with several seeds: its runs (by seed) and the spread of their perplexities. */
export interface SeedSummary {
  /** The configuration without its seed: experiment, corpus, label and protocol. */
  readonly key: string;
  /** The successful runs, in the order of their seeds. */
  readonly runs: readonly ResultRow[];
  readonly validPerplexity: Spread | null;
  readonly testPerplexity: Spread | null;
  readonly testBitsPerCharacter: Spread | null;
}

/** The spread of the finite values (null when fewer than two: a spread needs two seeds). */
export function spreadOf(values: readonly (number | null)[]): Spread | null {
  const xs = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (xs.length < 2) return null;
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  return { n: xs.length, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

/** The configurations with two or more successful seeds, in the order of their first run in `rows`. */
export function seedSummaries(rows: readonly ResultRow[]): SeedSummary[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    if (row.status !== 'ok') continue;
    const key = seedlessKey(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups]
    .filter(([, runs]) => runs.length > 1)
    .map(([key, group]) => {
      const runs = [...group].sort((a, b) => a.seed - b.seed);
      return {
        key,
        runs,
        validPerplexity: spreadOf(runs.map((r) => r.validPerplexity)),
        testPerplexity: spreadOf(runs.map((r) => r.testPerplexity)),
        testBitsPerCharacter: spreadOf(runs.map((r) => r.testBitsPerCharacter)),
      };
    });
}
