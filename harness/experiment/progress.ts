import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../../models/types.ts';
import {
  formatLoss as loss,
  formatPerplexity as ppl,
  formatRate as rate,
  isInteractive,
  LogThrottle,
  progressLine,
  validationLine,
  type Clock,
  type TextStream,
} from '../progress.ts';
import type { Cell } from './grid.ts';
import type { ResultRow } from './results.ts';
import type { RunEvent } from './runner.ts';

export interface ProgressDisplay {
  onEvent(event: RunEvent): void;
  stop(): void;
}

export type { TextStream } from '../progress.ts';

function describe(cell: Cell): string {
  return `${cell.label} on ${cell.corpus.label ?? cell.corpus.spec} (${cell.mode}, seed ${cell.seed})`;
}

function summary(row: ResultRow): string {
  if (row.status === 'failed') return `failed: ${row.error}`;
  return `test ppl ${ppl(row.testPerplexity)}, valid ppl ${ppl(row.validPerplexity)}, ${(row.trainSeconds ?? 0).toFixed(1)} s training, ${rate(row.trainTokensPerSecond ?? undefined)}`;
}

/** Seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

interface BarPayload {
  label: string;
  phase: string;
  rate: string;
  loss: string;
  /** Whether the phase has a known total (else the bar shows no percentage or ETA). */
  known: boolean;
  /** The whole-grid bar shows the time elapsed instead of an ETA. */
  elapsed: boolean;
}

const BAR_WIDTH = 24;

function formatBar(_options: cliProgress.Options, params: cliProgress.Params, p: BarPayload): string {
  const filled = p.known ? Math.round(Math.min(1, params.progress) * BAR_WIDTH) : 0;
  const bar = '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
  const pct = p.known ? `${Math.floor(Math.min(1, params.progress) * 100)}%`.padStart(4) : '    ';
  const time = p.elapsed
    ? ` elapsed ${formatDuration((Date.now() - params.startTime) / 1000)}`
    : p.known && params.value > 0 && params.progress < 1 && Number.isFinite(params.eta)
      ? ` ETA ${formatDuration(params.eta)}`
      : '';
  return [`${p.label} |${bar}|${pct}`, p.phase, p.rate, p.loss].filter(Boolean).join(' ') + time;
}

/**
 * Progress for a terminal: one bar for the whole grid and a live bar for the running cell (its model,
 * phase, tokens/s, loss and ETA). cli-progress draws and redraws them; plain writes would scroll.
 */
function barDisplay(stream: TextStream): ProgressDisplay {
  const multi = new cliProgress.MultiBar({ stream, hideCursor: true, clearOnComplete: true, fps: 5, format: formatBar });
  let overall: cliProgress.SingleBar | undefined;
  let current: cliProgress.SingleBar | undefined;
  let phase = '';
  let finished = 0;
  let stopped = false;
  const payload = (p: Partial<BarPayload>): BarPayload => ({ label: '', phase: '', rate: '', loss: '', known: false, elapsed: false, ...p });
  return {
    onEvent(e) {
      if (e.type === 'plan') {
        if (e.skipped) multi.log(`${e.skipped} of ${e.cells} runs already done (--force runs them again)\n`);
        overall = multi.create(Math.max(e.toRun, 1), 0, payload({ label: 'experiment', phase: `0/${e.toRun} runs`, known: true, elapsed: true }));
      } else if (e.type === 'start') {
        phase = '';
        current = multi.create(1, 0, payload({ label: e.cell.label, phase: 'loading' }));
      } else if (e.type === 'progress' && e.event.validPerplexity !== undefined) {
        multi.log(`  ${e.cell.label} ${validationLine(e.event)}\n`);
      } else if (e.type === 'progress' && current) {
        const p: ProgressEvent = e.event;
        const update = { phase: p.phase, rate: rate(p.tokensPerSecond), loss: loss(p.loss), known: p.total !== undefined };
        if (p.phase !== phase) {
          // A new phase (an epoch, counting, …) restarts the bar so its ETA is for this phase.
          phase = p.phase;
          current.start(p.total ?? 1, 0, payload({ label: e.cell.label, ...update }));
        }
        current.update(p.total ? Math.min(p.done, p.total) : 0, update);
      } else if (e.type === 'done') {
        if (current) multi.remove(current);
        current = undefined;
        finished++;
        overall?.update(finished, { phase: `${finished}/${overall.getTotal()} runs` });
        multi.log(`${e.row.status === 'ok' ? '✓' : '✗'} ${describe(e.cell)}: ${summary(e.row)}\n`);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // Draw once more so the last logged lines reach the terminal before the bars are cleared.
      multi.update();
      multi.stop();
    },
  };
}

export interface LineOptions {
  /** At most one progress line this often within a run (default `LOG_INTERVAL_MS`). */
  readonly intervalMs?: number;
  readonly clock?: Clock;
}

/**
 * Progress for logs (CI): a line when a run starts and ends, one per validation between epochs, and at most
 * one every few seconds in between.
 */
function lineDisplay(stream: TextStream, options: LineOptions): ProgressDisplay {
  const throttle = new LogThrottle(options.intervalMs, options.clock);
  let position = '';
  const write = (line: string): void => {
    stream.write(`${line}\n`);
  };
  return {
    onEvent(e) {
      if (e.type === 'plan') {
        write(`${e.cells} runs in the grid: ${e.toRun} to run, ${e.skipped} already done`);
      } else if (e.type === 'start') {
        position = `[${e.position}/${e.of}]`;
        throttle.restart();
        write(`${position} ${describe(e.cell)}`);
      } else if (e.type === 'progress' && e.event.validPerplexity !== undefined) {
        write(`${' '.repeat(position.length)} ${validationLine(e.event)}`);
      } else if (e.type === 'progress' && throttle.due()) {
        write(`${' '.repeat(position.length)} ${progressLine(e.event)}`);
      } else if (e.type === 'done') {
        write(`${position} ${e.row.status === 'ok' ? 'done: ' : ''}${summary(e.row)}`);
      }
    },
    stop() {},
  };
}

export function progressDisplay(stream: TextStream, interactive = isInteractive(stream), options: LineOptions = {}): ProgressDisplay {
  return interactive ? barDisplay(stream) : lineDisplay(stream, options);
}
