import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProgressEvent } from '../../models/types.ts';
import { loadPlugins } from '../plugin-loader.ts';
import type { PluginRegistry } from '../../models/registry.ts';
import type { Experiment } from './config.ts';
import { latestRuns } from './configuration.ts';
import { runEnvironment, type RunEnvironment } from './environment.ts';
import { canonicalJson, expandGrid, shardCells, type Cell, type Shard } from './grid.ts';
import { lockResults, recordCell } from './lock.ts';
import { checkMixtureSelectors, recordExperimentMixtures } from '../mixture/experiment.ts';
import { MIXTURE_FAMILY } from '../mixture/family.ts';
import type { CellMessage, CellRequest, CellResult } from './messages.ts';
import { NO_MEASUREMENTS, readResults, writeResults, type CurveRow, type ResultRow } from './results.ts';

const HERE = fileURLToPath(import.meta.url);
/** The entry point of a cell's process: `cell.ts` beside the sources, `cell.js` in the compiled package. */
export const CELL_SCRIPT = join(dirname(HERE), '..', `cell${extname(HERE)}`);
/** tsx's loader, by absolute URL, so a cell runs whatever the current directory. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export type RunEvent =
  | { readonly type: 'plan'; readonly cells: number; readonly toRun: number; readonly skipped: number }
  | { readonly type: 'skip'; readonly cell: Cell }
  | { readonly type: 'start'; readonly cell: Cell; readonly position: number; readonly of: number; readonly pid: number }
  | { readonly type: 'progress'; readonly cell: Cell; readonly event: ProgressEvent }
  | { readonly type: 'done'; readonly cell: Cell; readonly row: ResultRow };

export interface RunOptions {
  readonly outDir: string;
  /** Run the cells that already have a successful row too. */
  readonly force?: boolean;
  readonly shard?: Shard;
  /** Aborting stops the running cell (recorded as interrupted) and runs no more. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
}

export interface RunSummary {
  readonly cells: number;
  readonly ran: number;
  readonly failed: number;
  readonly skipped: number;
  readonly interrupted: boolean;
  /** Rows of this experiment in the results whose run its grid no longer has (an earlier corpus or configuration). */
  readonly kept: number;
  /** Of those, the ones no later run of the same configuration supersedes: the report still shows them. */
  readonly keptShown: number;
  /** The experiment's mixtures made, and those that failed (absent when it asks for none). */
  readonly mixtures?: number;
  readonly mixturesFailed?: number;
}

type Outcome = { readonly ok: true; readonly result: CellResult } | { readonly ok: false; readonly message: string };

/** Run one cell in its own Node process and wait for its measurements or its failure. */
function runChild(
  request: CellRequest,
  signal: AbortSignal | undefined,
  onStart: (pid: number) => void,
  onProgress: (e: ProgressEvent) => void,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = fork(CELL_SCRIPT, [JSON.stringify(request)], {
      execArgv: ['--import', TSX_LOADER],
      // Structured clone keeps Infinity and NaN (a zero-probability test token), which JSON would turn into null.
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let result: CellResult | undefined;
    let error: string | undefined;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.stdout?.resume();
    child.on('message', (raw) => {
      const m = raw as CellMessage;
      if (m.type === 'progress') onProgress(m.event);
      else if (m.type === 'result') result = m.result;
      else error = m.message;
    });
    const abort = (): void => {
      child.kill('SIGTERM');
    };
    signal?.addEventListener('abort', abort, { once: true });
    if (child.pid !== undefined) onStart(child.pid);
    child.on('error', (e) => {
      error ??= `cannot start the cell's process: ${e.message}`;
    });
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', abort);
      if (signal?.aborted || sig === 'SIGINT') {
        resolve({ ok: false, message: 'interrupted' });
      } else if (code === 0 && result) {
        resolve({ ok: true, result });
      } else if (error) {
        resolve({ ok: false, message: error });
      } else {
        const last = stderr.trim().split('\n').slice(-3).join(' | ');
        const how = sig ? `was killed by ${sig}${sig === 'SIGKILL' ? ' (out of memory?)' : ''}` : `exited with code ${code}`;
        resolve({ ok: false, message: `the cell's process ${how}${last ? `: ${last}` : ''}` });
      }
    });
  });
}

function baseRow(cell: Cell, env: RunEnvironment): Omit<ResultRow, 'status' | 'error' | 'corpus'> {
  return {
    experiment: cell.experiment,
    cell: cell.index,
    id: cell.id,
    corpusId: cell.corpusId,
    model: cell.plugin,
    family: cell.family,
    familyLabel: cell.familyLabel,
    contextLength: cell.contextLength ?? null,
    contextParameter: cell.contextParameter ?? '',
    label: cell.label,
    hyperParameters: canonicalJson(cell.hyperParameters),
    seed: cell.seed,
    mode: cell.mode,
    budget: canonicalJson(cell.budget),
    ...NO_MEASUREMENTS,
    ...env,
    date: new Date().toISOString(),
  };
}

export function failedRow(cell: Cell, message: string, env: RunEnvironment): ResultRow {
  return { ...baseRow(cell, env), status: 'failed', error: message, corpus: cell.corpus.label ?? cell.corpus.spec };
}

export function resultRow(cell: Cell, r: CellResult, env: RunEnvironment): ResultRow {
  const { epochs, ...measured } = r;
  return { ...baseRow(cell, env), ...measured, status: 'ok', error: '', epochs: epochs.length };
}

export function curveRows(id: string, r: CellResult): CurveRow[] {
  return r.epochs.map((e) => ({
    id,
    epoch: e.epoch,
    tokensSeen: e.tokensSeen,
    seconds: e.seconds,
    trainLoss: e.trainLoss,
    validPerplexity: e.validPerplexity,
    learningRate: e.learningRate ?? null,
  }));
}

/**
 * Run the cells of an experiment (or of one shard of it), each in its own process, and record each run in
 * `outDir/results.csv` as soon as it ends. Cells with a successful row are skipped unless `force`.
 */
export async function runExperiment(experiment: Experiment, options: RunOptions): Promise<RunSummary> {
  const registry = await loadPlugins(experiment.config.plugins, dirname(experiment.path), `${experiment.path}: "plugins"`);
  const grid = expandGrid(experiment, registry);
  const cells = shardCells(grid, options.shard);
  checkMixtureSelectors(experiment, grid);
  const unlock = lockResults(options.outDir);
  try {
    const summary = await runCells(cells, registry, options);
    // issue 13 §3: the experiment's mixtures, from every cell's run (a shard has only some: merge, then run again).
    const mixtures =
      summary.interrupted || options.shard
        ? undefined
        : recordExperimentMixtures(experiment, grid, options.outDir, runEnvironment(), experiment.config.resamples);
    const ids = new Set([...grid.map((c) => c.id), ...(mixtures?.ids ?? [])]);
    return {
      ...summary,
      ...keptRuns(experiment.name, ids, readResults(options.outDir).rows),
      ...(mixtures?.ids.length ? { mixtures: mixtures.made, mixturesFailed: mixtures.failed } : {}),
    };
  } finally {
    unlock();
  }
}

/** The rows of an experiment that its grid no longer has, and how many of them the report still shows. */
function keptRuns(experiment: string, ids: ReadonlySet<string>, rows: readonly ResultRow[]): { kept: number; keptShown: number } {
  const kept = rows.filter((r) => r.experiment === experiment && !ids.has(r.id) && r.family !== MIXTURE_FAMILY);
  const { superseded } = latestRuns(rows);
  return { kept: kept.length, keptShown: kept.filter((r) => !superseded.includes(r)).length };
}

async function runCells(cells: readonly Cell[], registry: PluginRegistry, options: RunOptions): Promise<Omit<RunSummary, 'kept' | 'keptShown'>> {
  const { outDir, signal } = options;
  const emit = options.onEvent ?? (() => {});
  const { rows, curves } = readResults(outDir);
  const done = new Set(rows.filter((r) => r.status === 'ok').map((r) => r.id));
  const todo = options.force ? cells : cells.filter((c) => !done.has(c.id));
  emit({ type: 'plan', cells: cells.length, toRun: todo.length, skipped: cells.length - todo.length });
  const toRun = new Set(todo);
  for (const c of cells) if (!toRun.has(c)) emit({ type: 'skip', cell: c });

  const env = runEnvironment();
  let ran = 0;
  let failed = 0;
  for (const [i, cell] of todo.entries()) {
    if (signal?.aborted) break;
    const outcome = await runChild(
      { cell, outDir, plugins: registry.modules, runPid: process.pid },
      signal,
      (pid) => {
        recordCell(outDir, pid);
        emit({ type: 'start', cell, position: i + 1, of: todo.length, pid });
      },
      (event) => emit({ type: 'progress', cell, event }),
    );
    recordCell(outDir, undefined);
    const row = outcome.ok ? resultRow(cell, outcome.result, env) : failedRow(cell, outcome.message, env);
    const keep = rows.findIndex((r) => r.id === cell.id);
    if (keep >= 0) rows[keep] = row;
    else rows.push(row);
    const others = curves.filter((c) => c.id !== cell.id);
    curves.length = 0;
    curves.push(...others, ...(outcome.ok ? curveRows(cell.id, outcome.result) : []));
    writeResults(outDir, { rows, curves });
    ran++;
    if (!outcome.ok) failed++;
    emit({ type: 'done', cell, row });
  }
  return { cells: cells.length, ran, failed, skipped: cells.length - todo.length, interrupted: signal?.aborted ?? false };
}
