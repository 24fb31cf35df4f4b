import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { kernelThreads, PARALLEL_MIN_FLOPS, setKernelThreads, SOFTMAX_PARALLEL_MIN, workerBlocks } from '../../numerics/kernels/threads.ts';
import { IGNORE_INDEX, softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { matmul, matmulTransA, matmulTransB } from '../../numerics/matmul.ts';
import { matmulReference, matmulTransAReference, matmulTransBReference } from '../../numerics/matmul-reference.ts';
import { allocate, allocationMark, releaseSince } from '../../numerics/tensor.ts';

const initialThreads = kernelThreads();
const mark = allocationMark();
afterAll(() => {
  setKernelThreads(initialThreads);
  releaseSince(mark);
});

function filled(n: number, seed: number): Float32Array {
  const x = allocate('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) x[i] = Math.sin(seed * 1000 + i * 0.37);
  return x;
}

describe('kernels on two threads', () => {
  it('split products (by rows and by columns) equal the one-thread result exactly, job after job', () => {
    const cases = [
      { f: matmulTransB, ref: matmulTransBReference, m: 70, k: 150, n: 1003 },
      { f: matmul, ref: matmulReference, m: 1001, k: 97, n: 60 },
      { f: matmulTransA, ref: matmulTransAReference, m: 517, k: 130, n: 77 },
      { f: matmul, ref: matmulReference, m: 2, k: 900, n: 2500 },
    ];
    for (const [t, { f, ref, m, k, n }] of cases.entries()) {
      expect(2 * m * k * n).toBeGreaterThanOrEqual(PARALLEL_MIN_FLOPS);
      const a = filled(m * k, t);
      const b = filled(k * n, t + 0.5);
      const c0 = filled(m * n, t + 0.25);
      const results = [1, 2, 2, 1, 2].map((threads) => {
        setKernelThreads(threads);
        const c = allocate('float32', m * n) as Float32Array;
        c.set(c0);
        f(a, b, c, m, k, n, false);
        f(a, b, c, m, k, n, true);
        return c;
      });
      // Blocks of C are computed by the same code whichever thread claims them: bit-identical.
      for (const c of results) expect(c.filter((x, i) => x !== results[0]![i]).length).toBe(0);
      const expected = c0.slice();
      ref(a, b, expected, m, k, n, false);
      ref(a, b, expected, m, k, n, true);
      let worst = 0;
      for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(results[0]![i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('softmax cross-entropy split by rows equals the one-thread pass bit for bit, job after job, and the plain float32 path', () => {
    for (const [rows, cols] of [
      [37, 5003],
      [1120, 1411],
      [2, 70001],
    ] as const) {
      expect(rows * cols).toBeGreaterThanOrEqual(SOFTMAX_PARALLEL_MIN);
      const z = filled(rows * cols, rows);
      for (let i = 0; i < z.length; i++) z[i] = 8 * z[i]!;
      const targets = Int32Array.from({ length: rows }, (_, r) => (r % 5 === 3 ? IGNORE_INDEX : (r * 7919) % cols));
      const runs = [1, 2, 2, 1, 2].map((threads) => {
        setKernelThreads(threads);
        const dz = allocate('float32', rows * cols) as Float32Array;
        dz.set(z);
        // In place, as the trainers call it.
        return { loss: softmaxCrossEntropy(dz, targets, dz, rows, cols, 1 / rows), dz };
      });
      for (const r of runs) {
        expect(r.loss).toBe(runs[0]!.loss);
        expect(r.dz.filter((x, i) => x !== runs[0]!.dz[i]).length).toBe(0);
      }
      const plainDz = new Float32Array(rows * cols);
      const plainLoss = softmaxCrossEntropy(Float32Array.from(z), targets, plainDz, rows, cols, 1 / rows);
      expect(Math.abs(runs[0]!.loss - plainLoss) / plainLoss).toBeLessThan(1e-6);
      let worst = 0;
      for (let i = 0; i < plainDz.length; i++) worst = Math.max(worst, Math.abs(runs[0]!.dz[i]! - plainDz[i]!));
      expect(worst).toBeLessThan(1e-7);
      // Ignored rows carry no gradient.
      expect(runs[0]!.dz.subarray(3 * cols, 4 * cols).every((x) => x === 0)).toBe(true);
    }
  });

  it('ordinary Float32Arrays (copied through kernel memory) split the same way', () => {
    const [m, k, n] = [130, 140, 600];
    const a = Float32Array.from(filled(m * k, 3));
    const b = Float32Array.from(filled(n * k, 4));
    const results = [1, 2].map((threads) => {
      setKernelThreads(threads);
      const c = new Float32Array(m * n).fill(1);
      matmulTransB(a, b, c, m, k, n, true);
      return c;
    });
    expect(results[1]!.filter((x, i) => x !== results[0]![i]).length).toBe(0);
    const expected = new Float32Array(m * n).fill(1);
    matmulTransBReference(a, b, expected, m, k, n, true);
    let worst = 0;
    for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(results[1]![i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
    expect(worst).toBeLessThan(1e-4);
  });

  it('the worker thread takes blocks of large products, and none of small ones', async () => {
    setKernelThreads(2);
    const m = 256;
    const a = filled(m * m, 7);
    const c = allocate('float32', m * m);
    for (let round = 0; round < 100 && workerBlocks() === 0; round++) {
      matmul(a, a, c, m, m, m);
      await sleep(20);
    }
    const before = workerBlocks();
    expect(before).toBeGreaterThan(0);
    const small = 40;
    for (let i = 0; i < 50; i++) matmul(a, a, c, small, small, small);
    expect(workerBlocks()).toBe(before);
  });

  it('the worker never keeps the process alive', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kernel-threads-'));
    const file = join(dir, 'main.mts');
    const root = new URL('../../numerics/', import.meta.url).href;
    writeFileSync(
      file,
      `
      import { setKernelThreads } from '${root}kernels/threads.ts';
      import { matmul } from '${root}matmul.ts';
      import { allocate } from '${root}tensor.ts';
      setKernelThreads(2);
      const a = allocate('float32', 256 * 256), c = allocate('float32', 256 * 256);
      a.fill(1);
      for (let i = 0; i < 20; i++) matmul(a, a, c, 256, 256, 256);
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 5; i++) matmul(a, a, c, 256, 256, 256);
      console.log(c[0]);
    `,
    );
    const started = Date.now();
    const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('256');
    expect(child.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
