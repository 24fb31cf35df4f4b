import { mergeResults } from '../experiment/merge.ts';
import { UserError } from '../../corpora/user-error.ts';
import { DEFAULT_OUT, stringFlag, type Flags, type OptionTypes } from './common.ts';
import type { CommandIo } from './run.ts';

export interface MergeArgs {
  /** Results folders to join (e.g. each shard's `--out`). */
  readonly inputs: readonly string[];
  readonly out?: string;
}

/** `merge DIR… [--out DIR]`: join shards' results (and their per-token files) into one results folder. */
export function mergeCommand(args: MergeArgs, io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): number {
  const outDir = args.out ?? DEFAULT_OUT;
  const summary = mergeResults(args.inputs, outDir);
  io.stdout.write(`merged ${args.inputs.length} folders: ${summary.rows} runs (${summary.failed} failed) in ${outDir}/results.csv\n`);
  return 0;
}

export const MERGE_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder to write the joined results into', default: DEFAULT_OUT },
};

/** `merge` as the CLI calls it. */
export function mergeFromFlags(flags: Flags, positionals: readonly string[]): Promise<number> {
  if (positionals.length === 0) throw new UserError('merge needs the results folders to join (e.g. each shard\'s --out)');
  return Promise.resolve(mergeCommand({ inputs: positionals, out: stringFlag(flags, 'out') }));
}
