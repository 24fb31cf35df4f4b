import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../../corpora/user-error.ts';
import { lockResults } from './lock.ts';
import { RESULTS_FILE, readResults, writeResults, type CurveRow, type ResultRow } from './results.ts';
import { CORPORA_DIR, RUNS_DIR } from './token-files.ts';

/** Which of two rows of the same run to keep: a success over a failure, then the later one. */
function better(a: ResultRow, b: ResultRow): ResultRow {
  if (a.status !== b.status) return a.status === 'ok' ? a : b;
  return b.date > a.date ? b : a;
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
}

/**
 * Join the results of several folders (the shards of one experiment, or separate experiments) into `outDir`,
 * with their per-token files. `outDir` may be one of the inputs; its own rows take part like the others'.
 */
export function mergeResults(inputs: readonly string[], outDir: string): MergeSummary {
  if (inputs.length === 0) throw new UserError('merge needs at least one results folder');
  const unlock = lockResults(outDir);
  try {
    return mergeInto(inputs, outDir);
  } finally {
    unlock();
  }
}

function mergeInto(inputs: readonly string[], outDir: string): MergeSummary {
  const byId = new Map<string, ResultRow>();
  const curvesById = new Map<string, { from: ResultRow; curves: CurveRow[] }>();
  const sources = new Map<string, string>();
  const dirs = [...new Set([outDir, ...inputs].map((d) => resolve(d)))];
  for (const dir of dirs) {
    if (!existsSync(join(dir, RESULTS_FILE))) {
      if (dir === resolve(outDir)) continue;
      throw new UserError(`${dir}: no ${RESULTS_FILE} (is it a results folder?)`);
    }
    const { rows, curves } = readResults(dir);
    for (const row of rows) {
      const kept = byId.get(row.id);
      const winner = kept ? better(kept, row) : row;
      byId.set(row.id, winner);
      if (winner === row) {
        sources.set(row.id, dir);
        curvesById.set(row.id, { from: row, curves: curves.filter((c) => c.id === row.id) });
      }
    }
  }
  const out = resolve(outDir);
  for (const [id, dir] of sources) {
    if (dir === out) continue;
    copyFolder(join(dir, RUNS_DIR), join(out, RUNS_DIR), (name) => name.startsWith(`${id}.`));
  }
  for (const dir of new Set(sources.values())) if (dir !== out) copyFolder(join(dir, CORPORA_DIR), join(out, CORPORA_DIR));
  const rows = [...byId.values()];
  writeResults(out, { rows, curves: [...curvesById.values()].flatMap((c) => c.curves) });
  return { rows: rows.length, failed: rows.filter((r) => r.status === 'failed').length };
}
