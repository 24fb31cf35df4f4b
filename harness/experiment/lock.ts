import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../corpora/user-error.ts';

export const LOCK_FILE = 'run.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the results folder for one `run` at a time: two runs writing the same results.csv would each drop
 * the other's rows. A lock left by a process that no longer exists (killed) is taken over.
 * Returns the function that releases it.
 */
export function lockResults(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new UserError(`${dir}: another run (process ${pid}) is writing its results; give each run (or shard) its own --out`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new UserError(`${path}: cannot take the lock`);
}
