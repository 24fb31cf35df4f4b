import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { writeFileAtomic } from './atomic.ts';

/**
 * `run.lock` in a results folder: the pid of the `run` (or `merge`) that holds it on the first line, and
 * `cell PID` on the second while one of its cells' processes runs.
 */
export const LOCK_FILE = 'run.lock';

/**
 * Whether a process exists and has not ended: an ended one waiting for its parent to collect it (a zombie,
 * which an orphan stays until the system's init gets to it) counts as gone, where Linux's /proc tells.
 */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true;
  }
  // "PID (COMMAND) STATE …", where COMMAND may hold spaces and parentheses.
  const state = stat.slice(stat.lastIndexOf(')') + 1).trimStart()[0];
  return state !== 'Z';
}

function lockText(owner: number, cell?: number): string {
  return `${owner}\n${cell === undefined ? '' : `cell ${cell}\n`}`;
}

function readLock(path: string): { owner: number; cell: number | undefined } {
  const [first = '', ...rest] = readFileSync(path, 'utf8').split('\n');
  const cell = rest.map((line) => /^cell (\d+)$/.exec(line.trim())).find((m) => m !== null);
  return { owner: Number(first.trim()), cell: cell ? Number(cell[1]) : undefined };
}

const isPid = (pid: number | undefined): pid is number => pid !== undefined && Number.isInteger(pid) && pid > 0;

/**
 * Take the results folder for one `run` at a time: two runs writing the same results.csv would each drop
 * the other's rows. A lock left by a process that no longer exists (killed) is taken over, unless the cell
 * it was running still is: that cell writes here until it notices it is orphaned (within a second or so).
 * Returns the function that releases it.
 */
export function lockResults(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, lockText(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const { owner, cell } = readLock(path);
      if (isPid(owner) && processRunning(owner)) {
        throw new UserError(`${dir}: another run (process ${owner}) is writing its results; give each run (or shard) its own --out`);
      }
      if (isPid(cell) && processRunning(cell)) {
        throw new UserError(
          `${dir}: the cell process ${cell} of a run that was stopped (process ${owner}) is still running and writing here; ` +
            `it stops by itself within seconds; if it does not, end it (kill ${cell}) and run again`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new UserError(`${path}: cannot take the lock`);
}

/**
 * Record in the lock (held by this process) the pid of the cell's process now running, or none, so that a
 * later run sees a cell that outlived its run.
 */
export function recordCell(dir: string, cell: number | undefined): void {
  writeFileAtomic(join(dir, LOCK_FILE), lockText(process.pid, cell));
}
