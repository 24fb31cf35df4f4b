import type { TextStream } from '../progress.ts';

/** Where a command writes: its result lines to stdout, progress and warnings to stderr (tests pass their own). */
export interface CommandIo {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
}

export const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };
