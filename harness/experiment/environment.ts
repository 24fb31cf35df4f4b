import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/** Where a run happened, recorded with every result row. */
export interface RunEnvironment {
  readonly gitCommit: string;
  readonly nodeVersion: string;
  readonly cpuModel: string;
}

/** The checked-out commit, with `-dirty` when the work tree has uncommitted changes; `unknown` outside git. */
export function gitCommit(cwd: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

export function runEnvironment(cwd: string): RunEnvironment {
  return {
    gitCommit: gitCommit(cwd),
    nodeVersion: process.version,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  };
}
