import { UserError } from '../../errors/user-error.ts';
import { runEnvironment } from '../experiment/environment.ts';
import { lockResults } from '../experiment/lock.ts';
import { readResults, RESULTS_FILE } from '../experiment/results.ts';
import { type MixtureOutcome, mixRuns, recordRows, type SplitFigure, writeMixtureTokens } from '../mixture/mix.ts';
import { readComparableRows } from '../comparison/runs.ts';
import { findRun } from '../comparison/select.ts';
import { checkResultsFolder } from '../output-path.ts';
import { MIXTURE_TOLERANCE } from '../statistics/mixture.ts';
import { DEFAULT_OUT, numberFlag, RESAMPLES_OPTION, resamplesFlag, stringFlag, type Flags, type OptionTypes } from './common.ts';
import { type CommandIo, PROCESS_IO } from './io.ts';

export interface MixArgs {
  /** Runs by id or label, at least two. */
  readonly runs: readonly string[];
  /** The results folder holding the runs and receiving the mixture (default `reports`). */
  readonly out?: string;
  readonly json?: boolean;
  readonly resamples?: number;
  readonly tolerance?: number;
}

function figureJson(f: SplitFigure): { perplexity: number; low: number; high: number } {
  return { perplexity: f.perplexity, low: f.low, high: f.high };
}

/** `218.39 [209.88, 227.29]`. */
function shown(f: SplitFigure): string {
  return `${f.perplexity.toFixed(2)} [${f.low.toFixed(2)}, ${f.high.toFixed(2)}]`;
}

/** The component with the lowest test perplexity: the mixture's gain is measured against the best it could replace. */
function bestComponent(outcome: MixtureOutcome): number {
  let best = 0;
  outcome.componentFigures.forEach((f, k) => {
    if (f.test.perplexity < outcome.componentFigures[best]!.test.perplexity) best = k;
  });
  return best;
}

export function mixJson(outcome: MixtureOutcome): Record<string, unknown> {
  const best = bestComponent(outcome);
  return {
    id: outcome.row.id,
    label: outcome.row.label,
    weights: outcome.weights,
    validPerplexity: outcome.valid.perplexity,
    testPerplexity: outcome.test.perplexity,
    valid: figureJson(outcome.valid),
    test: figureJson(outcome.test),
    iterations: outcome.iterations,
    converged: outcome.converged,
    tolerance: outcome.tolerance,
    components: outcome.components.map((c, k) => ({
      id: c.id,
      label: c.label,
      weight: outcome.weights[k],
      valid: figureJson(outcome.componentFigures[k]!.valid),
      test: figureJson(outcome.componentFigures[k]!.test),
    })),
    bestComponent: outcome.components[best]!.id,
    testGain: 1 - outcome.test.perplexity / outcome.componentFigures[best]!.test.perplexity,
  };
}

export function mixText(outcome: MixtureOutcome, dir: string): string {
  const best = bestComponent(outcome);
  const bestTest = outcome.componentFigures[best]!.test.perplexity;
  const rows = outcome.components.map((c, k) => {
    const f = outcome.componentFigures[k]!;
    return [outcome.weights[k]!.toFixed(4), shown(f.valid), shown(f.test), `${c.label} (${c.id})`];
  });
  rows.push(['', shown(outcome.valid), shown(outcome.test), `${outcome.row.label} (${outcome.row.id})`]);
  const header = ['weight', 'valid ppl [95%]', 'test ppl [95%]', 'run'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => `  ${r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')}`.trimEnd();
  const gain = 1 - outcome.test.perplexity / bestTest;
  const first = outcome.components[0]!;
  return [
    `mixture of ${outcome.components.length} runs on ${first.corpus} (${first.mode}): EM weights on valid, ${outcome.iterations} iteration${outcome.iterations === 1 ? '' : 's'} ` +
      `to a gain below ${outcome.tolerance} nats per token${outcome.converged ? '' : ' (not reached: stopped at the iteration limit)'}`,
    line(header),
    ...rows.map(line),
    `test perplexity ${outcome.test.perplexity.toFixed(2)} against ${bestTest.toFixed(2)} of the best component (${outcome.components[best]!.label}): ` +
      (Math.abs(gain) < 0.0005 ? 'the same to 0.1%' : gain > 0 ? `${(100 * gain).toFixed(1)}% lower` : `${(-100 * gain).toFixed(1)}% higher`),
    `recorded as ${outcome.row.id} in ${dir}/${RESULTS_FILE}`,
  ].join('\n');
}

/**
 * `mix RUN… [--out DIR] [--json]`: interpolate runs that predicted the same tokens with the maximum-likelihood
 * weights on valid, evaluate on test, and record the mixture as a row of its own (with its per-token files).
 */
export async function mixCommand(args: MixArgs, io: CommandIo = PROCESS_IO): Promise<number> {
  const dir = args.out ?? DEFAULT_OUT;
  if (args.runs.length < 2) throw new UserError('mix needs at least two runs (by id or label)');
  if (new Set(args.runs).size !== args.runs.length) throw new UserError('mix: a run is named twice');
  checkResultsFolder(dir, { option: '--out', example: 'runs/NAME' });
  const unlock = lockResults(dir);
  try {
    const { rows } = readResults(dir);
    const comparable = readComparableRows(dir);
    const components = args.runs.map((name) => findRun(comparable, name, `${dir}/${RESULTS_FILE}`));
    if (new Set(components.map((c) => c.id)).size !== components.length) throw new UserError('mix: a run is named twice (by id and by label)');
    const outcome = mixRuns(dir, components, rows, runEnvironment(), {
      ...(args.tolerance !== undefined ? { tolerance: args.tolerance } : {}),
      ...(args.resamples !== undefined ? { resamples: args.resamples } : {}),
    });
    writeMixtureTokens(dir, outcome);
    recordRows(dir, [outcome.row]);
    io.stdout.write(`${args.json ? JSON.stringify(mixJson(outcome)) : mixText(outcome, dir)}\n`);
    return 0;
  } finally {
    unlock();
  }
}

export const MIX_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder holding the runs; the mixture is recorded in it', default: DEFAULT_OUT },
  json: { type: 'boolean', description: 'print the result as one JSON line instead of text' },
  tolerance: {
    type: 'string',
    value: 'T',
    description: 'EM stops when an iteration gains less than T nats per valid token',
    default: String(MIXTURE_TOLERANCE),
  },
  ...RESAMPLES_OPTION,
};

/** `mix` as the CLI calls it. */
export function mixFromFlags(flags: Flags, positionals: readonly string[]): Promise<number> {
  const tolerance = numberFlag(flags, 'tolerance', { min: 0 });
  if (tolerance === 0) throw new UserError('--tolerance must be a number > 0, got "0"');
  return mixCommand({
    runs: positionals,
    out: stringFlag(flags, 'out'),
    json: flags.json === true,
    resamples: resamplesFlag(flags),
    ...(tolerance !== undefined ? { tolerance } : {}),
  });
}
