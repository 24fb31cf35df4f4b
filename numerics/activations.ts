import type { FloatArray } from './tensor.ts';

/**
 * Activations over the first `n` entries, forward y = f(x) and backward dx = dy ⊙ f′ written in terms of
 * the forward output y (so the input need not be kept). Outputs may alias inputs (dx = dy in place).
 */

export function tanhForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
}

/** tanh′ = 1 − y² */
export function tanhBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = y[i]!;
    dx[i] = dy[i]! * (1 - t * t);
  }
}

export function reluForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    y[i] = v > 0 ? v : 0;
  }
}

/** relu′ = [y > 0] (0 at x = 0, as in PyTorch) */
export function reluBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = y[i]! > 0 ? dy[i]! : 0;
}

/** The logistic function, without overflow for large |a|. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

export function sigmoidForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]!);
}

/** σ′ = y(1 − y) */
export function sigmoidBackward(y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = y[i]!;
    dx[i] = dy[i]! * s * (1 - s);
  }
}
