import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../numerics/adam.ts';
import { addBias, biasGradient } from '../../numerics/bias.ts';
import { clipGradNorm } from '../../numerics/clip-grad-norm.ts';
import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { Random } from '../../numerics/random.ts';
import { logSoftmaxAt, logSumExp } from '../../numerics/softmax.ts';
import { allocate } from '../../numerics/tensor.ts';
import { buildVectorWasm } from '../../numerics/kernels/build.ts';
import { VECTOR_WASM_URL } from '../../numerics/kernels/variant.ts';
import { expSumF32, maxF32, onVectorKernels } from '../../numerics/kernels/vector.ts';

/** A float32 array in kernel memory (where the SIMD kernels run) holding `values`. */
function kernelArray(values: ArrayLike<number>): Float32Array {
  const a = allocate('float32', values.length) as Float32Array;
  a.set(values);
  return a;
}

function randomValues(n: number, seed: number, lo: number, hi: number): Float64Array {
  const a = new Float64Array(n);
  new Random(seed).uniform(a, lo, hi);
  return a;
}

const SIZES = [1, 3, 4, 7, 16, 33, 1001];

describe('vector kernels (WebAssembly SIMD) agree with the TypeScript paths', () => {
  it('the committed vector.wasm is byte for byte what its source assembles to (else: npm run build:kernels)', async () => {
    const built = await buildVectorWasm();
    expect(Buffer.compare(Buffer.from(built), readFileSync(VECTOR_WASM_URL))).toBe(0);
  });

  it('run only on float32 arrays in kernel memory', () => {
    expect(onVectorKernels(kernelArray([1]))).toBe(true);
    expect(onVectorKernels(new Float32Array(4))).toBe(false);
    expect(onVectorKernels(allocate('float64', 4))).toBe(false);
  });

  it('exp is accurate to float32 rounding over the whole range, and underflows to 0 gracefully', () => {
    const x = Float64Array.from({ length: 2001 }, (_, i) => -100 + i * 0.094);
    const src = kernelArray(x);
    const dst = kernelArray(new Float64Array(x.length));
    expSumF32(src, 0, dst, 0, x.length, 0);
    for (let i = 0; i < x.length; i++) {
      const exact = Math.exp(Math.fround(x[i]!));
      // Below −87 the result is clamped to e^−87 ≈ 1.6e−38: nothing beside a row maximum of e^0 = 1.
      if (x[i]! < -87) expect(dst[i]).toBeLessThanOrEqual(Math.fround(Math.exp(-87)) * 1.0001);
      else expect(Math.abs(dst[i]! - exact) / exact).toBeLessThan(3e-7);
    }
  });

  it('max and exp keep a NaN (the max loop uses pmax, which alone would drop one) and clamp ±∞', () => {
    for (const at of [0, 5, 9, 10]) {
      const values = Array.from({ length: 11 }, (_, i) => (i === at ? NaN : i - 5));
      expect(maxF32(kernelArray(values), 0, values.length)).toBeNaN();
    }
    expect(maxF32(kernelArray([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]), 0, 5)).toBe(-Infinity);
    const src = kernelArray([NaN, Infinity, -Infinity, 0, NaN]);
    const dst = kernelArray(new Float64Array(5));
    expect(expSumF32(src, 0, dst, 0, 5, 0)).toBeNaN();
    expect(dst[0]).toBeNaN();
    expect(dst[4]).toBeNaN();
    expect(dst[1]).toBe(Math.fround(Math.exp(88)));
    expect(dst[2]).toBe(Math.fround(Math.exp(-87)));
    expect(dst[3]).toBe(1);
  });

  it.each(SIZES)('max, Σexp, log-sum-exp, cross-entropy, bias rows and column sums for %i columns', (n) => {
    const values = randomValues(3 * n, n, -30, 30);
    const rows = 3;
    const z32 = kernelArray(values);
    const plain = Float32Array.from(values);
    expect(maxF32(z32, n, n)).toBe(Math.max(...plain.subarray(n, 2 * n)));
    expect(Math.abs(logSumExp(z32, n, n) - logSumExp(plain, n, n))).toBeLessThan(1e-6);

    const targets = Int32Array.from([n - 1, 0, -100]);
    const dPlain = new Float32Array(3 * n);
    const lossPlain = softmaxCrossEntropy(plain, targets, dPlain, rows, n, 0.5);
    const dKernel = kernelArray(values);
    const loss = softmaxCrossEntropy(dKernel, targets, dKernel, rows, n, 0.5);
    expect(Math.abs(loss - lossPlain) / Math.max(lossPlain, 1)).toBeLessThan(1e-6);
    for (let i = 0; i < 3 * n; i++) expect(Math.abs(dKernel[i]! - dPlain[i]!)).toBeLessThan(1e-6);

    const biased = kernelArray(values);
    const biasedPlain = Float32Array.from(values);
    const bias = randomValues(n, 500 + n, -1, 1);
    addBias(biased, kernelArray(bias), rows, n);
    addBias(biasedPlain, Float32Array.from(bias), rows, n);
    expect(biased.filter((x, i) => x !== biasedPlain[i]).length).toBe(0);

    const sumsKernel = kernelArray(new Float64Array(n).fill(1));
    const sumsPlain = new Float32Array(n).fill(1);
    biasGradient(z32, sumsKernel, rows, n);
    biasGradient(plain, sumsPlain, rows, n);
    for (let j = 0; j < n; j++) expect(Math.abs(sumsKernel[j]! - sumsPlain[j]!)).toBeLessThan(1e-4);
  });

  it.each([
    [3, 7],
    [40, 5001],
  ])('log-probabilities of targets (the scoring path) for %i rows of %i, threaded when large, as the plain path', (rows, cols) => {
    const values = randomValues(rows * cols, rows, -20, 20);
    const targets = Int32Array.from({ length: rows }, (_, r) => (r * 7919) % cols);
    const kernel = new Float64Array(rows);
    const plain = new Float64Array(rows);
    const z32 = kernelArray(values);
    logSoftmaxAt(z32, targets, kernel, rows, cols);
    logSoftmaxAt(Float32Array.from(values), targets, plain, rows, cols);
    for (let r = 0; r < rows; r++) expect(Math.abs(kernel[r]! - plain[r]!)).toBeLessThan(1e-5);
    // Scoring writes nothing into the logits.
    expect(z32.every((x, i) => x === Math.fround(values[i]!))).toBe(true);
    expect(() => logSoftmaxAt(z32, Int32Array.from([0, cols, 0]), kernel, 3, cols)).toThrow(/target \d+ of row 1 is outside/);
  });

  it.each(SIZES)('gradient clipping over %i elements: the same norm and scaled gradients as the plain path', (n) => {
    const g = randomValues(n, 400 + n, -3, 3);
    const kernel = { name: 'a', shape: [n], data: kernelArray(new Float64Array(n)), grad: kernelArray(g) };
    const plain = { name: 'a', shape: [n], data: new Float32Array(n), grad: Float32Array.from(g) };
    let exact = 0;
    for (const x of plain.grad) exact += x * x;
    const normKernel = clipGradNorm([kernel], 0.5);
    const normPlain = clipGradNorm([plain], 0.5);
    expect(Math.abs(normKernel - Math.sqrt(exact)) / Math.sqrt(exact)).toBeLessThan(1e-12);
    expect(Math.abs(normKernel - normPlain) / normPlain).toBeLessThan(1e-12);
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      expect(Math.abs(kernel.grad[i]! - plain.grad[i]!)).toBeLessThanOrEqual(2.4e-7 * Math.abs(plain.grad[i]!)); // two float32 ulps: the kernels scale by the float32 factor
      clipped += kernel.grad[i]! ** 2;
    }
    expect(Math.sqrt(clipped)).toBeCloseTo(0.5, 5);
  });

  it.each(SIZES)('Adam over %i parameters (with weight decay) matches the float64 step', (n) => {
    const init = randomValues(n, 100 + n, -1, 1);
    const grads = [randomValues(n, 200 + n, -2, 2), randomValues(n, 300 + n, -2, 2)];
    const run = (make: (v: ArrayLike<number>) => Float32Array | Float64Array): Float64Array => {
      const p = { name: 'p', shape: [n], data: make(init), grad: make(new Float64Array(n)) };
      const adam = new Adam([p], { lr: 0.01, weightDecay: 0.1 });
      for (const g of grads) {
        p.grad.set(g);
        adam.step();
      }
      adam.dispose();
      return Float64Array.from(p.data);
    };
    const simd = run(kernelArray);
    const exact = run((v) => Float64Array.from(v));
    for (let i = 0; i < n; i++) expect(Math.abs(simd[i]! - exact[i]!)).toBeLessThan(1e-6);
  });
});
