import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockResults, processRunning as alive } from '../../harness/experiment/lock.ts';
import { readResults, RESULTS_FILE } from '../../harness/experiment/results.ts';

const root = join(import.meta.dirname, '..', '..');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'pb-orphan-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function poll<T>(what: string, f: () => T | undefined, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The pids a lock file names: the run's, and its running cell's once it has one. */
function lockPids(out: string): { run: number; cell: number } | undefined {
  const path = join(out, LOCK_FILE);
  if (!existsSync(path)) return undefined;
  const m = /^(\d+)\ncell (\d+)\n$/.exec(readFileSync(path, 'utf8'));
  return m ? { run: Number(m[1]), cell: Number(m[2]) } : undefined;
}

describe('a cell and its run', () => {
  it('kill -9 of run stops the cell that was training, and records no success', async () => {
    const dir = tmp();
    // ~27k tokens a GRU trains on for a minute unless stopped (no epoch limit, no early stopping).
    let seed = 7;
    const word = (): string => {
      seed = (seed * 48271) % 2147483647;
      return `w${seed % 200}`;
    };
    const lines = Array.from({ length: 3000 }, () => Array.from({ length: 8 }, word).join(' '));
    writeFileSync(join(dir, 'words.txt'), `${lines.join('\n')}\n`);
    const config = join(dir, 'long.json');
    writeFileSync(
      config,
      JSON.stringify({
        corpora: ['text:words.txt'],
        models: [{ plugin: 'gru', hyperParameters: { hiddenSize: 32, embeddingSize: 32, maxEpochs: 100000, patience: 100000 } }],
        budget: { seconds: 60 },
      }),
    );
    const out = join(dir, 'results');
    const run = spawn(process.execPath, ['--import', 'tsx', join(root, 'harness/cli.ts'), 'run', config, '--out', out, '--no-report'], {
      cwd: root,
      stdio: 'ignore',
      env: { ...process.env, CI: 'true' },
    });
    const exited = new Promise<void>((resolve) => run.on('close', () => resolve()));
    try {
      const { run: runPid, cell } = await poll('the cell to start', () => lockPids(out), 20_000);
      expect(runPid).toBe(run.pid);
      // The cell writes the corpus's token files before training: once they are there, it is training.
      await poll('the cell to train', () => (existsSync(join(out, 'corpora')) && readdirSync(join(out, 'corpora')).length >= 2 ? true : undefined), 20_000);
      await sleep(500);
      expect(alive(cell)).toBe(true);

      run.kill('SIGKILL');
      await exited;
      await poll('the cell to stop', () => (alive(cell) ? undefined : true), 5_000);
      const rows = existsSync(join(out, RESULTS_FILE)) ? readResults(out).rows : [];
      expect(rows.filter((r) => r.status === 'ok')).toEqual([]);
      // The folder is free again for the next run.
      lockResults(out)();
    } finally {
      run.kill('SIGKILL');
      const pids = lockPids(out);
      if (pids && alive(pids.cell)) process.kill(pids.cell, 'SIGKILL');
    }
  }, 60_000);

  it('a rerun refuses a results folder while a cell of a killed run still writes there, naming its pid', async () => {
    const out = tmp();
    const cell = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(out, LOCK_FILE), `999999999\ncell ${cell.pid}\n`);
      expect(() => lockResults(out)).toThrow(
        new RegExp(`the cell process ${cell.pid} of a run that was stopped \\(process 999999999\\) is still running and writing here; .*kill ${cell.pid}`),
      );
    } finally {
      cell.kill('SIGKILL');
    }
    await new Promise((resolve) => cell.on('close', resolve));
    const unlock = lockResults(out);
    expect(readFileSync(join(out, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    unlock();
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});
