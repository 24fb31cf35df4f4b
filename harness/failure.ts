import { relative } from 'node:path';
import { UserError } from '../errors/user-error.ts';

/** Set to 1 to see the stack trace of any error (a bug report wants it). */
export const DEBUG_VARIABLE = 'PERPLEXITY_BENCH_DEBUG';

/** Exit codes: 2 for bad input (an option, a file, a path), 1 for an error of the program itself. */
export const EXIT_BAD_INPUT = 2;
export const EXIT_INTERNAL = 1;

/** What a file-system error code means, in the words of the message that names its path. */
const FILE_SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EISDIR: 'is a folder, where a file is needed',
  ENOTDIR: 'is not a folder (or a folder on the way to it is a file)',
  EEXIST: 'already exists',
  ENOTEMPTY: 'is a folder that is not empty',
  EACCES: 'permission denied',
  EBUSY: 'is busy or locked (the current folder, a mount point)',
  EPERM: 'operation not permitted',
  EROFS: 'is on a read-only file system',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'the name is too long',
};

interface SystemError extends Error {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  /** The target of a rename or copy: the user's output path where ours is a temporary file. */
  readonly dest?: string;
}

function isFileSystemError(e: unknown): e is SystemError & { path: string } {
  const x = e as Partial<SystemError> | null;
  return e instanceof Error && typeof x?.code === 'string' && x.code in FILE_SYSTEM_ERRORS && typeof x.path === 'string';
}

/** The first frame of a stack trace in this program's code (not Node's), as `file:line:column` relative to the working folder. */
function whereThrown(e: Error): string | undefined {
  for (const line of (e.stack ?? '').split('\n').slice(1)) {
    const m = /^\s+at (?:.*\()?(?:file:\/\/)?(\/.+?:\d+:\d+)\)?$/.exec(line);
    if (m && !m[1]!.includes('/node_modules/')) return relative(process.cwd(), m[1]!);
  }
  return undefined;
}

export interface Failure {
  /** For stderr, each line of it; the first starts with `error: `. */
  readonly text: string;
  readonly exitCode: number;
}

/**
 * How the CLI reports an error, never as a bare stack trace: a `UserError` by its message; a file-system error
 * by the path it names and what its code means; anything else as an internal error with the place it was thrown
 * (the full stack with PERPLEXITY_BENCH_DEBUG=1, which also adds it to the other two).
 */
export function describeFailure(e: unknown, debug = process.env[DEBUG_VARIABLE] === '1'): Failure {
  const stack = debug && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  if (e instanceof UserError) return { text: `error: ${e.message}${stack}`, exitCode: EXIT_BAD_INPUT };
  if (isFileSystemError(e)) {
    const path = e.dest ?? e.path;
    return { text: `error: ${path}: ${FILE_SYSTEM_ERRORS[e.code]} (${e.code}${e.syscall ? ` on ${e.syscall}` : ''})${stack}`, exitCode: EXIT_BAD_INPUT };
  }
  const message = e instanceof Error ? e.message : String(e);
  const where = e instanceof Error ? whereThrown(e) : undefined;
  const how = debug ? stack : `\n(set ${DEBUG_VARIABLE}=1 to see the stack trace)`;
  return {
    text: `error: ${message}\nThis is an internal error of perplexity-bench${where ? ` (at ${where})` : ''}, not a problem with your input that it could name; please report it.${how}`,
    exitCode: EXIT_INTERNAL,
  };
}
