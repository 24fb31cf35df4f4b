import type { FloatArray } from './tensor.ts';

/**
 * Element-wise kernels over the first `n` entries. Outputs may alias inputs; nothing is allocated.
 */

/** out = a + b */
export function add(a: FloatArray, b: FloatArray, out: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! + b[i]!;
}

/** out = a ⊙ b */
export function multiply(a: FloatArray, b: FloatArray, out: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
}

/** out = α·x */
export function scale(x: FloatArray, alpha: number, out: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) out[i] = alpha * x[i]!;
}

/** y += α·x (BLAS axpy) */
export function addScaled(x: FloatArray, alpha: number, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = y[i]! + alpha * x[i]!;
}

/** Σ x[i]² (accumulated in float64) */
export function sumOfSquares(x: FloatArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i]! * x[i]!;
  return s;
}
