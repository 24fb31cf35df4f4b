import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../models/types.ts';

export interface ProgressReporter {
  readonly update: (event: ProgressEvent) => void;
  readonly stop: () => void;
}

/** A writable text stream; only the TTY flag and the column count decide between bars and lines. */
export interface TextStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Off a terminal (logs, CI, pipes), progress is a plain line at most this often. */
export const LOG_INTERVAL_MS = 5000;

/** Milliseconds from any fixed origin (performance.now); tests pass a fake one. */
export type Clock = () => number;

/** Bars on a terminal; plain lines in logs, in CI (whose consoles claim to be terminals) and in pipes. */
export function isInteractive(stream: TextStream): boolean {
  return stream.isTTY === true && !process.env.CI;
}

/** A perplexity as progress shows it: two decimals, '∞' for a zero-probability token, '–' for none. */
export function formatPerplexity(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : Number.isFinite(p) ? p.toFixed(2) : '∞';
}

/** The line a validation between epochs gets: 'validation 2: valid ppl 176.31'. */
export function validationLine(event: ProgressEvent): string {
  return `${event.phase}: valid ppl ${formatPerplexity(event.validPerplexity)}`;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** '12,346 tok/s', or '' when the event has no rate. */
export function formatRate(tokensPerSecond: number | undefined): string {
  return tokensPerSecond === undefined ? '' : `${count.format(tokensPerSecond)} tok/s`;
}

/** 'loss 4.500', or '' when the event has no loss. */
export function formatLoss(loss: number | undefined): string {
  return loss === undefined ? '' : `loss ${loss.toFixed(3)}`;
}

/** One event as a log line: 'epoch 2 45% 12,346 tok/s loss 4.500' (the parts the event has). */
export function progressLine(e: ProgressEvent): string {
  const pct = e.total ? `${Math.floor((100 * Math.min(e.done, e.total)) / e.total)}%` : '';
  return [e.phase, pct, formatRate(e.tokensPerSecond), formatLoss(e.loss)].filter(Boolean).join(' ');
}

/** Lets one line through per `intervalMs` (measured from its creation or its last `restart`). */
export class LogThrottle {
  private last: number;

  constructor(
    private readonly intervalMs: number = LOG_INTERVAL_MS,
    private readonly clock: Clock = () => performance.now(),
  ) {
    this.last = clock();
  }

  /** Whether a line is due now; if so the next one is due an interval later. */
  due(): boolean {
    const now = this.clock();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }

  restart(): void {
    this.last = this.clock();
  }
}

export interface ProgressOptions {
  readonly stream?: TextStream;
  /** Default: bars on a terminal outside CI (`isInteractive`), else lines. */
  readonly interactive?: boolean;
  /** Off a terminal: a line at most this often (default `LOG_INTERVAL_MS`). */
  readonly intervalMs?: number;
  readonly clock?: Clock;
}

/**
 * Progress of a long step. On a terminal: a live bar (cli-progress) with the phase, tokens/s, loss and ETA.
 * Elsewhere (logs, CI, pipes): a line every few seconds, and a validation's result when the last one shown
 * is as old (every one, when epochs take longer), so a long step is never silent and a short one prints
 * nothing.
 */
export function progressReporter(label: string, options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (!(options.interactive ?? isInteractive(stream))) {
    const progress = new LogThrottle(options.intervalMs, options.clock);
    const validations = new LogThrottle(options.intervalMs, options.clock);
    return {
      update(e) {
        if (e.validPerplexity !== undefined) {
          if (validations.due()) stream.write(`${label}: ${validationLine(e)}\n`);
        } else if (progress.due()) {
          stream.write(`${label}: ${progressLine(e)}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: `${label} {phase} [{bar}] {percentage}% | ETA {eta_formatted}{rate}{loss}{valid}`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  // The last validation's result stays on the bar through the next epoch.
  let valid = '';
  const part = (text: string): string => (text ? ` | ${text}` : '');
  return {
    update(e) {
      if (e.validPerplexity !== undefined) {
        valid = part(validationLine(e));
        return;
      }
      const payload = { phase: e.phase, rate: part(formatRate(e.tokensPerSecond)), loss: part(formatLoss(e.loss)), valid };
      const total = e.total ?? Math.max(e.done, 1);
      if (!started) {
        bar.start(total, e.done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(e.done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
