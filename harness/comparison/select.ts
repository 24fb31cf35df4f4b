import { UserError } from '../../errors/user-error.ts';
import type { ResultRow } from '../experiment/results.ts';

/**
 * Which configuration a run is of: `configurationKey` without the seed. Runs that differ only in their seed are
 * one configuration: a comparison groups them and never compares them with each other.
 */
export function seedlessKey(row: ResultRow): string {
  return JSON.stringify([row.experiment, row.corpus, row.label, row.mode]);
}

/** How a run is named in messages and tables: its label, corpus and protocol. */
export function describeRun(row: ResultRow): string {
  return `${row.label} (${row.corpus}, ${row.mode})`;
}

/** The runs of one configuration (every seed), in seed order. */
export interface SeedGroup {
  readonly key: string;
  readonly runs: readonly ResultRow[];
}

/** Group runs by configuration, in the order each configuration first appears. */
export function seedGroups(rows: readonly ResultRow[]): SeedGroup[] {
  const groups = new Map<string, ResultRow[]>();
  for (const row of rows) {
    const key = seedlessKey(row);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups].map(([key, runs]) => ({ key, runs: [...runs].sort((a, b) => a.seed - b.seed) }));
}

function available(rows: readonly ResultRow[]): string {
  const labels = [...new Set(rows.map((r) => r.label))];
  return labels.length ? `the runs there are labelled ${labels.map((l) => `"${l}"`).join(', ')}` : 'there are no successful runs there';
}

/** Every run a name names: the run with that id, or the runs with that label. An unknown name lists the labels. */
export function findRuns(rows: readonly ResultRow[], name: string, where: string): ResultRow[] {
  const byId = rows.filter((r) => r.id === name);
  if (byId.length) return byId;
  const byLabel = rows.filter((r) => r.label === name);
  if (byLabel.length) return byLabel;
  throw new UserError(`no run with id or label "${name}" in ${where}: ${available(rows)}`);
}

/**
 * The one run a name names (a mixture's component): a label that names several runs is an error that lists them
 * (seeds of one configuration, or one label on several corpora or protocols), so the user can give an id.
 */
export function findRun(rows: readonly ResultRow[], name: string, where: string): ResultRow {
  const found = findRuns(rows, name, where);
  if (found.length === 1) return found[0]!;
  const groups = seedGroups(found);
  const what = groups.length === 1 ? `${found.length} seeds of ${describeRun(found[0]!)}` : `${found.length} runs of ${groups.length} configurations`;
  throw new UserError(`"${name}" names ${what} in ${where}; name one by id: ${found.map((r) => `${r.id} (${describeRun(r)}, seed ${r.seed})`).join(', ')}`);
}

/**
 * The configurations the names pick (by id or label; a label picks every seed of its configuration, and a label
 * on several corpora or protocols picks each), in the order named, each once.
 */
export function selectGroups(rows: readonly ResultRow[], names: readonly string[], where: string): SeedGroup[] {
  const groups = seedGroups(rows);
  if (!names.length) return groups;
  const keys: string[] = [];
  for (const name of names) {
    for (const row of findRuns(rows, name, where)) if (!keys.includes(seedlessKey(row))) keys.push(seedlessKey(row));
  }
  return keys.map((k) => groups.find((g) => g.key === k)!);
}
