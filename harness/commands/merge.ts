import { describeConflict, mergeResults } from '../experiment/merge.ts';
import { UserError } from '../../errors/user-error.ts';
import { checkResultsFolder } from '../output-path.ts';
import { requiredFlag, type Flags, type OptionTypes } from './common.ts';
import { reportCommand } from './report.ts';
import { type CommandIo, PROCESS_IO } from './io.ts';

export interface MergeArgs {
  /** Results folders to join (e.g. each shard's `--out`). */
  readonly inputs: readonly string[];
  /** Where the joined results and their report go: a new or empty folder, or a results folder. */
  readonly out: string;
}

/**
 * `merge DIR… --out DIR`: join shards' results (and their per-token files) into one results folder, say which
 * runs disagreed between folders and which row was kept, then write the report of what was merged.
 */
export async function mergeCommand(args: MergeArgs, io: CommandIo = PROCESS_IO): Promise<number> {
  checkResultsFolder(args.out, { option: '--out', example: 'runs/merged' });
  const summary = mergeResults(args.inputs, args.out);
  for (const c of summary.conflicts) io.stderr.write(`warning: ${describeConflict(c)}\n`);
  io.stdout.write(`merged ${args.inputs.length} folders: ${summary.rows} runs (${summary.failed} failed) in ${args.out}/results.csv\n`);
  return reportCommand({ out: args.out }, io);
}

export const MERGE_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder to write the joined results and their report into (required)' },
};

/** `merge` as the CLI calls it. */
export function mergeFromFlags(flags: Flags, positionals: readonly string[]): Promise<number> {
  if (positionals.length === 0) throw new UserError("merge needs the results folders to join (e.g. each shard's --out)");
  const out = requiredFlag(flags, 'out', 'the results folder to write the merged results and their report into, e.g. --out runs/merged');
  return mergeCommand({ inputs: positionals, out });
}
