import { describe, expect, it } from 'vitest';
import { ClassSoftmax } from '../../numerics/output/class-softmax.ts';
import { classesFromOrder, defaultClassCount, frequencyClasses, targetCounts, type WordClasses } from '../../numerics/output/word-classes.ts';
import type { DType } from '../../numerics/tensor.ts';
import { expectGradient, randomArray } from './finite-difference.ts';

/** A layer over `classes` with every parameter drawn from `seed` (weights large enough that the classes matter). */
function layer(classes: WordClasses, K: number, dtype: DType, seed: number): ClassSoftmax {
  const out = new ClassSoftmax({ vocabSize: classes.vocabSize, inputSize: K, numClasses: classes.numClasses, dtype, name: 'decoder' }, classes);
  out.parameters.forEach((p, k) => {
    p.data.set(randomArray(p.data.length, seed + k, -1.5, 1.5));
  });
  return out;
}

/** ln P(w | z) by the definition: the class's log-softmax plus the log-softmax within the class, from the raw weights. */
function bruteForce(out: ClassSoftmax, z: ArrayLike<number>, w: number): number {
  const { classOf, positionOf, starts } = out.classes;
  const K = out.inputSize;
  const dot = (weights: ArrayLike<number>, bias: ArrayLike<number>, row: number): number => {
    let s = bias[row]!;
    for (let j = 0; j < K; j++) s += weights[row * K + j]! * z[j]!;
    return s;
  };
  const lse = (xs: number[]): number => {
    const m = Math.max(...xs);
    return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
  };
  const classLogits = Array.from({ length: out.numClasses }, (_, c) => dot(out.classWeight.data, out.classBias.data, c));
  const c = classOf[w]!;
  const wordLogits: number[] = [];
  for (let i = starts[c]!; i < starts[c + 1]!; i++) wordLogits.push(dot(out.wordWeight.data, out.wordBias.data, i));
  return classLogits[c]! - lse(classLogits) + wordLogits[positionOf[w]! - starts[c]!]! - lse(wordLogits);
}

// 11 words in 4 classes of sizes 1, 2, 3 and 5, not in id order.
const ORDER = Int32Array.from([4, 0, 7, 2, 9, 1, 3, 5, 6, 8, 10]);
const STARTS = Int32Array.from([0, 1, 3, 6, 11]);
const TARGETS = Int32Array.from([4, 7, 7, 3, 10, 0, 5, 2]);

describe('frequencyClasses (Mikolov et al. 2011 binning)', () => {
  it('bins words sorted by count into classes of equal unigram mass, every class used', () => {
    // Counts 40, 20, 10, 10, 5, 5, 5, 5 (total 100): equal shares of 1/4 close classes after 40 | 20+10 | 10+5+5+5 ...
    const counts = [5, 40, 10, 5, 20, 10, 5, 5];
    const classes = frequencyClasses(counts, 3, 'unigram');
    expect(Array.from(classes.order)).toEqual([1, 4, 2, 5, 0, 3, 6, 7]);
    // F after each word: .40 (> 1/3: close) | .60, .70 (> 2/3: close) | the rest.
    expect(Array.from(classes.starts)).toEqual([0, 1, 3, 8]);
    expect(Array.from(classes.classOf)).toEqual([2, 0, 1, 2, 1, 2, 2, 2]);
    for (let w = 0; w < counts.length; w++) expect(classes.order[classes.positionOf[w]!]).toBe(w);
  });

  it('with square-root shares gives the frequent words fewer classes, and never leaves a class empty', () => {
    const counts = Array.from({ length: 1000 }, (_, i) => Math.round(1e5 / (i + 1)));
    const unigram = frequencyClasses(counts, 30, 'unigram');
    const sqrt = frequencyClasses(counts, 30, 'sqrt');
    for (const classes of [unigram, sqrt]) {
      expect(classes.numClasses).toBe(30);
      for (let c = 0; c < 30; c++) expect(classes.starts[c + 1]! - classes.starts[c]!).toBeGreaterThan(0);
    }
    // Under Zipf counts the unigram shares give the top words a class each; √ shares pack more of them together.
    expect(unigram.starts[10]).toBe(10);
    expect(sqrt.starts[10]!).toBeGreaterThan(10);
    // As many classes as words: one word each.
    expect(Array.from(frequencyClasses([3, 1, 2], 3, 'sqrt').starts)).toEqual([0, 1, 2, 3]);
  });

  it('refuses a class count it cannot fill, and checks stored classes', () => {
    expect(() => frequencyClasses([1, 2], 3, 'sqrt')).toThrow(/from 1 to the vocabulary size 2/);
    expect(() => classesFromOrder(Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 3]))).toThrow(/not a permutation/);
    expect(() => classesFromOrder(Int32Array.from([0, 1, 2]), Int32Array.from([0, 0, 3]))).toThrow(/class 0 is empty/);
    expect(defaultClassCount(14116)).toBe(119);
    expect(Array.from(targetCounts(Int32Array.from([2, 0, 2, 2]), 4))).toEqual([1, 0, 3, 0]);
  });
});

describe('ClassSoftmax', () => {
  const classes = classesFromOrder(ORDER, STARTS);
  const K = 5;
  const rows = TARGETS.length;

  it('gives P(w | z) = P(c(w) | z) · P(w | c(w), z), normalised over the vocabulary', () => {
    const out = layer(classes, K, 'float64', 1);
    const z = randomArray(rows * K, 9);
    const lp = new Float64Array(rows);
    out.logProbAt(z, TARGETS, rows, lp);
    for (let r = 0; r < rows; r++) expect(lp[r]).toBeCloseTo(bruteForce(out, z.subarray(r * K), TARGETS[r]!), 12);
    const dist = new Float64Array(11);
    for (let r = 0; r < 3; r++) {
      out.logDistribution(z.subarray(r * K, (r + 1) * K), dist);
      expect(dist.reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 13);
      for (let w = 0; w < 11; w++) expect(dist[w]).toBeCloseTo(bruteForce(out, z.subarray(r * K), w), 12);
    }
    // The loss is the sum of −ln P, the same numbers.
    const dz = new Float64Array(rows * K);
    const loss = out.forwardBackward(z, TARGETS, rows, 1 / rows, dz);
    expect(loss).toBeCloseTo(-lp.reduce((s, x) => s + x, 0), 12);
  });

  it('back-propagates the gradient of the scaled loss to the input and every parameter (finite differences)', () => {
    const out = layer(classes, K, 'float64', 2);
    const z = randomArray(rows * K, 10);
    const scale = 1 / rows;
    const loss = (): number => out.forwardBackward(z, TARGETS, rows, scale, new Float64Array(rows * K)) * scale;
    for (const p of out.parameters) p.grad.fill(0);
    const dz = new Float64Array(rows * K);
    out.forwardBackward(z, TARGETS, rows, scale, dz);
    const grads = out.parameters.map((p) => Float64Array.from(p.grad));
    expectGradient(loss, z, dz, 1e-8);
    out.parameters.forEach((p, k) => {
      expectGradient(loss, p.data as Float64Array, grads[k]!, 1e-8);
    });
  });

  it('touches only the word rows of the classes its targets are in', () => {
    const out = layer(classes, K, 'float64', 3);
    const z = randomArray(2 * K, 11);
    for (const p of out.parameters) p.grad.fill(0);
    // Both targets in class 2 (words 2, 9, 1 at positions 3–5).
    out.forwardBackward(z, Int32Array.from([9, 1]), 2, 0.5, new Float64Array(2 * K));
    const grad = out.wordWeight.grad;
    for (let i = 0; i < 11; i++) {
      const norm = Math.hypot(...grad.subarray(i * K, (i + 1) * K));
      if (i >= 3 && i < 6) expect(norm).toBeGreaterThan(0);
      else expect(norm).toBe(0);
    }
    expect(Math.hypot(...out.classWeight.grad)).toBeGreaterThan(0);
  });

  it('float32 on the kernels equals float64 within float32 rounding', () => {
    const counts = Array.from({ length: 300 }, (_, i) => Math.round(5000 / (i + 1)));
    const big = frequencyClasses(counts, 17, 'sqrt');
    const R = 200;
    const K2 = 24;
    const targets = Int32Array.from({ length: R }, (_, r) => (r * 37 + (r % 7) * 11) % 300);
    const z = randomArray(R * K2, 12);
    const results = (['float64', 'float32'] as const).map((dtype) => {
      const out = layer(big, K2, dtype, 4);
      const input = dtype === 'float32' ? Float32Array.from(z) : Float64Array.from(z);
      const lp = new Float64Array(R);
      out.logProbAt(input, targets, R, lp);
      for (const p of out.parameters) p.grad.fill(0);
      const dz = dtype === 'float32' ? new Float32Array(R * K2) : new Float64Array(R * K2);
      const loss = out.forwardBackward(input, targets, R, 1 / R, dz);
      return { lp, loss, dz: Float64Array.from(dz), grads: out.parameters.map((p) => Float64Array.from(p.grad)) };
    });
    const [f64, f32] = results as [(typeof results)[0], (typeof results)[0]];
    for (let r = 0; r < R; r++) expect(Math.abs(f32.lp[r]! - f64.lp[r]!)).toBeLessThan(2e-5);
    expect(Math.abs(f32.loss - f64.loss) / f64.loss).toBeLessThan(1e-6);
    for (let i = 0; i < f64.dz.length; i++) expect(Math.abs(f32.dz[i]! - f64.dz[i]!)).toBeLessThan(1e-6);
    f64.grads.forEach((g, k) => {
      for (let i = 0; i < g.length; i++) expect(Math.abs(f32.grads[k]![i]! - g[i]!)).toBeLessThan(1e-5);
    });
  });
});
