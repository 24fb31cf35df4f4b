import { UserError } from '../../errors/user-error.ts';
import { DEFAULT_OUT, stringFlag, type Flags, type OptionTypes } from './common.ts';
import { loadExperiment } from '../experiment/config.ts';
import { parseShard } from '../experiment/grid.ts';
import { progressDisplay } from '../experiment/progress.ts';
import { runExperiment } from '../experiment/runner.ts';
import { checkResultsFolder } from '../output-path.ts';
import { type CommandIo, PROCESS_IO } from './io.ts';
import { reportCommand } from './report.ts';

export { DEFAULT_OUT };

export interface RunArgs {
  /** A bundled experiment name (`default`, `brown`) or a path to a JSON config. */
  readonly config: string;
  readonly out?: string;
  readonly force?: boolean;
  /** `K/N`: run every N-th cell from the K-th. */
  readonly shard?: string;
}

/**
 * `run CONFIG [--out DIR] [--force] [--shard K/N]`: run an experiment's grid, each cell in its own process,
 * recording results in DIR. Ctrl-C stops the running cell (recorded as interrupted) and keeps the rest.
 * Returns the exit code: 0 when every run succeeded, 1 when one failed, 130 when interrupted.
 */
export async function runCommand(args: RunArgs, io: CommandIo = PROCESS_IO): Promise<number> {
  if (!args.config) throw new UserError('run needs an experiment: a bundled name (default, brown) or a JSON file');
  const experiment = loadExperiment(args.config);
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  const outDir = args.out ?? DEFAULT_OUT;
  checkResultsFolder(outDir, { option: '--out', example: `runs/${experiment.name}` });
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const display = progressDisplay(io.stderr);
  const start = performance.now();
  try {
    const summary = await runExperiment(experiment, {
      outDir,
      force: args.force ?? false,
      ...(shard ? { shard } : {}),
      signal: controller.signal,
      onEvent: (e) => display.onEvent(e),
    }).finally(() => display.stop());
    const seconds = (performance.now() - start) / 1000;
    io.stdout.write(
      `${experiment.name}${shard ? ` shard ${shard.k}/${shard.n}` : ''}: ${summary.ran} run, ${summary.failed} failed, ` +
        `${summary.skipped} already done, in ${seconds.toFixed(1)} s; results in ${outDir}/results.csv\n`,
    );
    if (summary.kept > 0) io.stdout.write(`${keptLine(summary.kept, summary.keptShown)}\n`);
    if (summary.mixtures !== undefined) {
      io.stdout.write(
        `mixtures: ${summary.mixtures} made${summary.mixturesFailed ? `, ${summary.mixturesFailed} failed (see results.csv's error column)` : ''}\n`,
      );
    }
    if (summary.interrupted) {
      io.stderr.write('interrupted: the results of finished runs are kept; run again to continue\n');
      return 130;
    }
    return summary.failed > 0 || (summary.mixturesFailed ?? 0) > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}

/** What `run` says of the rows it kept that the experiment no longer has (see configurationKey). */
export function keptLine(kept: number, shown: number): string {
  const line = `kept ${kept} run${kept > 1 ? 's' : ''} from earlier configurations or corpora that this experiment no longer has; the report shows only the latest run of each configuration`;
  if (shown === 0) return line;
  const many = shown > 1;
  return `${line}; ${shown} of them ${many ? 'are' : 'is'} still the latest of ${many ? 'their' : 'its'} configuration (a model or corpus the experiment dropped) and stay${many ? '' : 's'} on the charts`;
}

export const RUN_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder (results.csv, per-run files, the report)', default: DEFAULT_OUT },
  force: { type: 'boolean', description: 'run every cell again, also those already in the results' },
  shard: { type: 'string', value: 'K/N', description: 'run every N-th cell from the K-th (join the shards with merge)' },
  'no-report': { type: 'boolean', description: 'do not write the report after the runs' },
};

/**
 * `run` as the CLI calls it: the experiment, then its report (charts, SVGs, index.html) in the same folder,
 * so one command leaves what a reader opens. A shard leaves the report to `merge` + `report`; `--no-report`
 * skips it; an interrupted run writes none.
 */
export async function runFromFlags(flags: Flags, positionals: readonly string[]): Promise<number> {
  if (positionals.length !== 1) throw new UserError('run takes one experiment: a bundled name (default, brown) or a JSON file');
  const out = stringFlag(flags, 'out');
  const shard = stringFlag(flags, 'shard');
  const code = await runCommand({ config: positionals[0]!, out, force: flags.force === true, shard });
  if (code === 130 || shard !== undefined || flags['no-report'] === true) return code;
  const reported = await reportCommand({ out });
  return code || reported;
}
