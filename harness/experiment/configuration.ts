import type { ResultRow } from './results.ts';

/**
 * What a run is a run *of*, as the report names it: the experiment, the corpus (its label), the model label
 * (plug-in or entry label with the swept values), the protocol and the seed. A run's id also hashes the
 * corpus's text and options, the validated hyper-parameters and the budget, so editing a corpus file, its
 * options or a fixed hyper-parameter makes a new run of the same configuration, and results.csv keeps both.
 */
export function configurationKey(row: ResultRow): string {
  return JSON.stringify([row.experiment, row.corpus, row.label, row.mode, row.seed]);
}

/**
 * Which configuration a run is of, seed left out: runs that differ only in their seed are one configuration, which
 * the report summarises over its seeds and a comparison treats as one group (never comparing its seeds).
 */
export function seedlessKey(row: ResultRow): string {
  return JSON.stringify([row.experiment, row.corpus, row.label, row.mode]);
}

export interface LatestRuns {
  /** The latest run of each configuration, in the order of the rows. */
  readonly latest: readonly ResultRow[];
  /** Runs with a later run of the same configuration: kept in results.csv, left off the charts. */
  readonly superseded: readonly ResultRow[];
}

/** Split rows into the latest run of each configuration (by date; a tie goes to the later row) and the others. */
export function latestRuns(rows: readonly ResultRow[]): LatestRuns {
  const newest = new Map<string, ResultRow>();
  for (const row of rows) {
    const key = configurationKey(row);
    const kept = newest.get(key);
    if (!kept || row.date >= kept.date) newest.set(key, row);
  }
  const latest = new Set(newest.values());
  return { latest: rows.filter((r) => latest.has(r)), superseded: rows.filter((r) => !latest.has(r)) };
}
