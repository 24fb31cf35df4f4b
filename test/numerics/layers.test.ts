import { describe, expect, it } from 'vitest';
import { addBias, biasGradient } from '../../numerics/bias.ts';
import { dropoutBackward, dropoutForward } from '../../numerics/dropout.ts';
import { add, addScaled, multiply, scale, sumOfSquares } from '../../numerics/elementwise.ts';
import { embeddingBackward, embeddingForward, zeroEmbeddingRows } from '../../numerics/embedding.ts';
import { Random } from '../../numerics/random.ts';
import { expectGradient, randomArray, weightedSum } from './finite-difference.ts';

describe('element-wise ops', () => {
  it('compute what they say, in place too', () => {
    const a = Float64Array.from([1, -2, 3]);
    const b = Float64Array.from([4, 5, -6]);
    const out = new Float64Array(3);
    add(a, b, out, 3);
    expect([...out]).toEqual([5, 3, -3]);
    multiply(a, b, out, 3);
    expect([...out]).toEqual([4, -10, -18]);
    scale(a, -2, out, 3);
    expect([...out]).toEqual([-2, 4, -6]);
    addScaled(a, 0.5, out, 3);
    expect([...out]).toEqual([-1.5, 3, -4.5]);
    add(a, a, a, 2);
    expect([...a]).toEqual([2, -4, 3]);
    expect(sumOfSquares(b, 3)).toBe(77);
  });
});

describe('embedding', () => {
  const vocab = 6;
  const dim = 3;
  const ids = Int32Array.from([4, 1, 4, 0]);

  it('gathers rows', () => {
    const table = randomArray(vocab * dim, 1);
    const out = new Float32Array(ids.length * dim);
    embeddingForward(Float32Array.from(table), ids, out, ids.length, dim);
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < dim; j++) expect(out[i * dim + j]).toBe(Math.fround(table[ids[i]! * dim + j]!));
    }
  });

  it('accumulates the gradient of touched rows only (finite differences, repeated ids)', () => {
    const table = randomArray(vocab * dim, 2);
    const k = randomArray(ids.length * dim, 3);
    const out = new Float64Array(ids.length * dim);
    const loss = (): number => {
      embeddingForward(table, ids, out, ids.length, dim);
      return weightedSum(out, k);
    };
    const grad = new Float64Array(vocab * dim);
    embeddingBackward(grad, ids, k, ids.length, dim);
    expectGradient(loss, table, grad, 1e-9);
    // rows 2, 3, 5 were never looked up
    for (const row of [2, 3, 5]) for (let j = 0; j < dim; j++) expect(grad[row * dim + j]).toBe(0);
    zeroEmbeddingRows(grad, ids, ids.length, dim);
    expect(grad.every((v) => v === 0)).toBe(true);
  });
});

describe('bias', () => {
  it('adds a row vector and sums its gradient over rows (finite differences)', () => {
    const rows = 4;
    const cols = 5;
    const bias = randomArray(cols, 4);
    const base = randomArray(rows * cols, 5);
    const k = randomArray(rows * cols, 6);
    const out = new Float64Array(rows * cols);
    const loss = (): number => {
      out.set(base);
      addBias(out, bias, rows, cols);
      return weightedSum(out, k);
    };
    loss();
    for (let j = 0; j < cols; j++) expect(out[cols + j]).toBe(base[cols + j]! + bias[j]!);
    const grad = new Float64Array(cols);
    biasGradient(k, grad, rows, cols);
    expectGradient(loss, bias, grad, 1e-9);
  });
});

describe('dropout', () => {
  it('zeroes about p of the entries, scales survivors by 1/(1−p), and is reproducible', () => {
    const n = 20_000;
    const p = 0.3;
    const x = new Float64Array(n).fill(2);
    const out = new Float64Array(n);
    const mask = new Float64Array(n);
    dropoutForward(x, out, mask, n, p, new Random(7));
    const dropped = out.filter((v) => v === 0).length / n;
    expect(Math.abs(dropped - p)).toBeLessThan(0.015);
    expect(out.every((v) => v === 0 || Math.abs(v - 2 / 0.7) < 1e-12)).toBe(true);
    const again = new Float64Array(n);
    dropoutForward(x, again, new Float64Array(n), n, p, new Random(7));
    expect(again).toEqual(out);
  });

  it('backward multiplies by the mask (finite differences); p = 0 is the identity', () => {
    const n = 30;
    const x = randomArray(n, 8);
    const k = randomArray(n, 9);
    const mask = new Float64Array(n);
    const out = new Float64Array(n);
    dropoutForward(x, out, mask, n, 0.5, new Random(1));
    const loss = (): number => {
      for (let i = 0; i < n; i++) out[i] = x[i]! * mask[i]!;
      return weightedSum(out, k);
    };
    const dx = new Float64Array(n);
    dropoutBackward(mask, k, dx, n);
    expectGradient(loss, x, dx, 1e-9);
    dropoutForward(x, out, mask, n, 0, new Random(1));
    expect(out).toEqual(x);
    expect(() => dropoutForward(x, out, mask, n, 1, new Random(1))).toThrow(/\[0, 1\)/);
  });
});
