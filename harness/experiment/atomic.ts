import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../errors/user-error.ts';

/**
 * Write a file so that readers see the old content or the new, never a part: the bytes go to a temporary
 * sibling (`*.tmp-PID`, git-ignored) that is renamed over the target, which is atomic on one file system.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) rmSync(tmp);
    // A full disk or a folder the user cannot write is their situation to fix, named, not a stack trace.
    const code = (e as NodeJS.ErrnoException).code;
    throw code === undefined ? e : new UserError(`${path}: cannot be written (${code})`);
  }
}
