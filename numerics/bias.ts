import type { FloatArray } from './tensor.ts';
import { addRowsF32, columnSumsF32, onVectorKernels } from './kernels/vector.ts';

/** out[r, c] += bias[c] over a [rows × cols] matrix: the bias of a batched affine layer. */
export function addBias(out: FloatArray, bias: FloatArray, rows: number, cols: number): void {
  if (onVectorKernels(out, bias)) {
    addRowsF32(out as Float32Array, bias as Float32Array, rows, cols);
    return;
  }
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) out[o + c] = out[o + c]! + bias[c]!;
  }
}

/** gradBias[c] += Σ_r dOut[r, c]: the bias gradient (accumulated, as torch accumulates `.grad`). */
export function biasGradient(dOut: FloatArray, gradBias: FloatArray, rows: number, cols: number): void {
  if (onVectorKernels(dOut, gradBias)) {
    columnSumsF32(dOut as Float32Array, gradBias as Float32Array, rows, cols);
    return;
  }
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = 0; c < cols; c++) gradBias[c] = gradBias[c]! + dOut[o + c]!;
  }
}
