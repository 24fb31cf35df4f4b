import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { lockResults } from './lock.ts';
import { RESULT_COLUMNS, RESULTS_FILE, readResults, writeResults, type CurveRow, type ResultRow } from './results.ts';
import { CORPORA_DIR, RUNS_DIR } from './token-files.ts';

/** Which of two rows of the same run to keep: a success over a failure, then the later one. */
function better(a: ResultRow, b: ResultRow): ResultRow {
  if (a.status !== b.status) return a.status === 'ok' ? a : b;
  return b.date > a.date ? b : a;
}

/** What a run measured: two successful rows of one run should agree on these (dates and timings may differ). */
const MEASURED = [
  'validPerplexity',
  'testPerplexity',
  'testPerplexityWithoutUnk',
  'validPerplexityLow',
  'validPerplexityHigh',
  'testPerplexityLow',
  'testPerplexityHigh',
  'validBitsPerCharacter',
  'testBitsPerCharacter',
  'validTokens',
  'testTokens',
  'validUnk',
  'testUnk',
  'vocabSize',
  'trainTokens',
  'parameters',
] as const satisfies readonly (keyof ResultRow)[];

/** Two successful rows of the same run that measured different things; the merge keeps one and says so. */
export interface MergeConflict {
  readonly id: string;
  /** The first measurement that differs, as results.csv names it, with its value in each folder. */
  readonly column: string;
  readonly kept: { readonly dir: string; readonly value: number | null };
  readonly dropped: { readonly dir: string; readonly value: number | null };
}

function conflict(id: string, kept: { row: ResultRow; dir: string }, dropped: { row: ResultRow; dir: string }): MergeConflict | undefined {
  if (kept.row.status !== 'ok' || dropped.row.status !== 'ok') return undefined;
  const key = MEASURED.find((k) => !Object.is(kept.row[k], dropped.row[k]));
  if (key === undefined) return undefined;
  const column = RESULT_COLUMNS.find((c) => c.key === key)!.header;
  return { id, column, kept: { dir: kept.dir, value: kept.row[key] }, dropped: { dir: dropped.dir, value: dropped.row[key] } };
}

/** One line for the user: which run, where each came from, and which one the merge kept. */
export function describeConflict(c: MergeConflict): string {
  return `run ${c.id} differs between ${c.kept.dir} (${c.column} ${c.kept.value}) and ${c.dropped.dir} (${c.column} ${c.dropped.value}); kept the later one, from ${c.kept.dir}`;
}

function copyFolder(from: string, to: string, only?: (name: string) => boolean): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from).sort()) {
    if (name.includes('.tmp-') || (only && !only(name))) continue;
    copyFileSync(join(from, name), join(to, name));
  }
}

export interface MergeSummary {
  readonly rows: number;
  readonly failed: number;
  readonly conflicts: readonly MergeConflict[];
}

/**
 * Join the results of several folders (the shards of one experiment, or separate experiments) into `outDir`,
 * with their per-token files. `outDir` may be one of the inputs; its own rows take part like the others'.
 * Every input is checked before anything is written.
 */
export function mergeResults(inputs: readonly string[], outDir: string): MergeSummary {
  if (inputs.length === 0) throw new UserError('merge needs at least one results folder');
  for (const dir of inputs) {
    if (!existsSync(dir)) throw new UserError(`${dir}: no such results folder`);
    if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: is a file, not a results folder`);
    if (!existsSync(join(dir, RESULTS_FILE))) throw new UserError(`${dir}: no ${RESULTS_FILE} (is it a results folder?)`);
  }
  const unlock = lockResults(outDir);
  try {
    return mergeInto(inputs, outDir);
  } finally {
    unlock();
  }
}

function mergeInto(inputs: readonly string[], outDir: string): MergeSummary {
  const byId = new Map<string, { row: ResultRow; dir: string; curves: CurveRow[] }>();
  const conflicts: MergeConflict[] = [];
  const out = resolve(outDir);
  const dirs = [...new Set([outDir, ...inputs].map((d) => resolve(d)))];
  for (const dir of dirs) {
    if (dir === out && !existsSync(join(dir, RESULTS_FILE))) continue;
    const { rows, curves } = readResults(dir);
    for (const row of rows) {
      const candidate = { row, dir, curves: curves.filter((c) => c.id === row.id) };
      const kept = byId.get(row.id);
      const winner = kept && better(kept.row, row) === kept.row ? kept : candidate;
      if (kept) {
        const c = conflict(row.id, winner, winner === kept ? candidate : kept);
        if (c) conflicts.push(c);
      }
      byId.set(row.id, winner);
    }
  }
  const sources = new Set<string>();
  for (const { row, dir } of byId.values()) {
    if (dir === out) continue;
    sources.add(dir);
    copyFolder(join(dir, RUNS_DIR), join(out, RUNS_DIR), (name) => name.startsWith(`${row.id}.`));
  }
  for (const dir of sources) copyFolder(join(dir, CORPORA_DIR), join(out, CORPORA_DIR));
  const kept = [...byId.values()];
  writeResults(out, { rows: kept.map((k) => k.row), curves: kept.flatMap((k) => k.curves) });
  return { rows: kept.length, failed: kept.filter((k) => k.row.status === 'failed').length, conflicts };
}
