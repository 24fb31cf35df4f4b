import { expect } from 'vitest';
import { Random } from '../../numerics/random.ts';

/** Random float64 values in [lo, hi), reproducible from the seed. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  new Random(seed).uniform(a, lo, hi);
  return a;
}

/**
 * Central differences (f(x + ε) − f(x − ε)) / 2ε of a scalar function of `x`, entry by entry, against the
 * analytic gradient. `loss` must read `x` afresh on every call. Asserts the largest error relative to
 * max(|numeric|, |analytic|, 1) is below `tolerance`, and returns it.
 */
export function expectGradient(loss: () => number, x: Float64Array, analytic: ArrayLike<number>, tolerance = 1e-7, eps = 1e-6): number {
  expect(analytic.length).toBe(x.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const saved = x[i]!;
    x[i] = saved + eps;
    const up = loss();
    x[i] = saved - eps;
    const down = loss();
    x[i] = saved;
    const numeric = (up - down) / (2 * eps);
    const err = Math.abs(numeric - analytic[i]!) / Math.max(Math.abs(numeric), Math.abs(analytic[i]!), 1);
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThan(tolerance);
  return worst;
}

/** Σ k[i]·y[i]: a scalar loss whose gradient with respect to y is k, to test a backward pass with dy = k. */
export function weightedSum(y: ArrayLike<number>, k: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < k.length; i++) s += y[i]! * k[i]!;
  return s;
}
