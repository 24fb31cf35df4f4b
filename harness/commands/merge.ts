import { mergeResults } from '../experiment/merge.ts';
import { DEFAULT_OUT, type CommandIo } from './run.ts';

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
