import cliProgress from 'cli-progress';
import type { ProgressEvent } from '../models/types.ts';

export interface ProgressReporter {
  readonly update: (event: ProgressEvent) => void;
  readonly stop: () => void;
}

/** A perplexity as progress shows it: two decimals, '∞' for a zero-probability token, '–' for none. */
export function formatPerplexity(p: number | null | undefined): string {
  return p === null || p === undefined ? '–' : Number.isFinite(p) ? p.toFixed(2) : '∞';
}

/** The line a validation between epochs gets: 'validation 2: valid ppl 176.31'. */
export function validationLine(event: ProgressEvent): string {
  return `${event.phase}: valid ppl ${formatPerplexity(event.validPerplexity)}`;
}

function formatRate(tokensPerSecond: number | undefined): string {
  return tokensPerSecond === undefined ? '' : ` | ${Math.round(tokensPerSecond).toLocaleString('en-US')} tok/s`;
}

export interface ProgressOptions {
  readonly stream?: NodeJS.WriteStream;
  /** Off a terminal, print one plain line per phase (for CI logs) instead of nothing. */
  readonly plainLines?: boolean;
}

/**
 * Progress of a long step. On a terminal: a live bar (cli-progress) with the phase, tokens/s, loss and ETA.
 * Elsewhere (CI, pipes): nothing, or one plain line per phase with `plainLines`.
 */
export function progressReporter(label: string, options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY && !options.plainLines) return { update() {}, stop() {} };
  if (!stream.isTTY) {
    let phase = '';
    return {
      update(e) {
        if (e.validPerplexity !== undefined) {
          stream.write(`${label}: ${validationLine(e)}\n`);
          return;
        }
        if (e.phase === phase) return;
        phase = e.phase;
        stream.write(`${label}: ${e.phase}${e.total ? ` (${e.total.toLocaleString('en-US')} ${e.unit})` : ''}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
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
  return {
    update(e) {
      if (e.validPerplexity !== undefined) {
        valid = ` | ${validationLine(e)}`;
        return;
      }
      const payload = { phase: e.phase, rate: formatRate(e.tokensPerSecond), loss: e.loss === undefined ? '' : ` | loss ${e.loss.toFixed(3)}`, valid };
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
