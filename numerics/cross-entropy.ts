import { checkTargets } from './softmax.ts';
import type { FloatArray } from './tensor.ts';
import { onVectorKernels, softmaxCrossEntropyF32 } from './kernels/vector.ts';

/** torch.nn.CrossEntropyLoss's default `ignore_index`: rows with this target add no loss and no gradient. */
export const IGNORE_INDEX = -100;

/** Rows whose target is not `ignoreIndex` (the divisor of a mean loss, as in torch's reduction='mean'). */
export function countTargets(targets: Int32Array, rows: number, ignoreIndex = IGNORE_INDEX): number {
  let n = 0;
  for (let r = 0; r < rows; r++) if (targets[r] !== ignoreIndex) n++;
  return n;
}

/**
 * Softmax cross-entropy fused with its gradient, over rows of logits z [rows × cols] with one target per row.
 * Returns Σ_r −log softmax(z_r)[t_r] over the rows whose target is not `ignoreIndex` (padding), and writes
 * dlogits_r = gradScale · (softmax(z_r) − onehot(t_r)) for those rows and 0 for ignored ones. `dlogits` may be
 * `logits` (in place: the only |V|-sized array is the logits themselves). For torch's mean reduction pass
 * gradScale = 1 / countTargets(...). Each exponent is computed once, after subtracting the row maximum.
 */
export function softmaxCrossEntropy(
  logits: FloatArray,
  targets: Int32Array,
  dlogits: FloatArray,
  rows: number,
  cols: number,
  gradScale: number,
  ignoreIndex = IGNORE_INDEX,
): number {
  checkTargets(targets, rows, cols, ignoreIndex);
  if (onVectorKernels(logits, dlogits)) {
    // The same three passes per row on the SIMD kernels (max, exponentials and their sum, scaling), rows split across threads.
    return softmaxCrossEntropyF32(logits as Float32Array, targets, dlogits as Float32Array, rows, cols, gradScale, ignoreIndex);
  }
  let loss = 0;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const t = targets[r]!;
    if (t === ignoreIndex) {
      dlogits.fill(0, o, o + cols);
      continue;
    }
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[o + j]! > max) max = logits[o + j]!;
    const zt = logits[o + t]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(logits[o + j]! - max);
      dlogits[o + j] = e;
      sum += e;
    }
    loss += max + Math.log(sum) - zt;
    const k = gradScale / sum;
    for (let j = 0; j < cols; j++) dlogits[o + j] = dlogits[o + j]! * k;
    dlogits[o + t] = dlogits[o + t]! - gradScale;
  }
  return loss;
}
