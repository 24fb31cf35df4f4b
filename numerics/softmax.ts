import type { FloatArray } from './tensor.ts';
import { logSoftmaxAtF32, maxF32, onVectorKernels, sumExpF32 } from './kernels/vector.ts';

/**
 * Numerically stable softmax over rows of a [rows × cols] matrix: every exponent is taken after
 * subtracting the row maximum, so no term overflows, and sums are accumulated in float64.
 */

/** ln Σ_j exp(x[offset + j]) for j < cols. */
export function logSumExp(x: FloatArray, offset: number, cols: number): number {
  if (onVectorKernels(x)) {
    const max = maxF32(x as Float32Array, offset, cols);
    if (max === -Infinity || max === Infinity) return max;
    return max + Math.log(sumExpF32(x as Float32Array, offset, cols, max));
  }
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (x[offset + j]! > max) max = x[offset + j]!;
  if (max === -Infinity || max === Infinity) return max;
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[offset + j]! - max);
  return max + Math.log(sum);
}

/** out = log_softmax(x) row by row; out may be x. */
export function logSoftmaxRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const lse = logSumExp(x, o, cols);
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j]! - lse;
  }
}

/** out = softmax(x) row by row; out may be x. */
export function softmaxRows(x: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j]! > max) max = x[o + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j]! - max);
      out[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) out[o + j] = out[o + j]! * inv;
  }
}

/** Throws unless every target of the first `rows` is a column (0..cols−1) or `ignoreIndex`. */
export function checkTargets(targets: Int32Array, rows: number, cols: number, ignoreIndex: number | null = null): void {
  for (let r = 0; r < rows; r++) {
    const t = targets[r]!;
    if (t !== ignoreIndex && (t < 0 || t >= cols)) throw new RangeError(`target ${t} of row ${r} is outside 0..${cols - 1}`);
  }
}

/**
 * out[r] = log_softmax(x_r)[targets[r]]: the log-probability of each row's target, nothing else materialised.
 * On the vector kernels the rows are split across the kernel threads (the scoring path of every neural model).
 */
export function logSoftmaxAt(x: FloatArray, targets: Int32Array, out: Float64Array, rows: number, cols: number): void {
  if (onVectorKernels(x)) {
    // The kernel reads z_target unchecked: a bad id must fail here, not read another row.
    checkTargets(targets, rows, cols);
    logSoftmaxAtF32(x as Float32Array, targets, out, rows, cols);
    return;
  }
  for (let r = 0, o = 0; r < rows; r++, o += cols) out[r] = x[o + targets[r]!]! - logSumExp(x, o, cols);
}
