import type { FloatArray } from './tensor.ts';
import type { Parameter } from './parameter.ts';
import { onVectorKernels, scaleF32, sumSquaresF32 } from './kernels/vector.ts';

/**
 * Σ x² over an array: float32 in kernel memory on the SIMD kernel, accumulated in float64 either way. NaN if
 * any element is NaN, Infinity if any is infinite (a float32's square cannot overflow a float64 sum).
 */
export function sumSquares(a: FloatArray): number {
  if (onVectorKernels(a)) return sumSquaresF32(a as Float32Array);
  let sq = 0;
  for (let i = 0; i < a.length; i++) sq += a[i]! * a[i]!;
  return sq;
}

/**
 * The parts of a gradient that can be non-zero, as (offset, length) pairs: the touched rows of a row-sparse
 * parameter, else the whole array.
 */
function gradientRuns(p: Parameter): ArrayLike<number> {
  return p.touched ? p.touched.elementRuns() : [0, p.grad.length];
}

/** The global L2 norm ‖g‖ over every gradient (what clipping compares with its maximum; NaN or Infinity if a gradient is). */
export function gradientNorm(parameters: readonly Parameter[]): number {
  let sq = 0;
  for (const p of parameters) {
    const runs = gradientRuns(p);
    for (let i = 0; i < runs.length; i += 2) sq += sumSquares(p.grad.subarray(runs[i]!, runs[i]! + runs[i + 1]!));
  }
  return Math.sqrt(sq);
}

/**
 * torch.nn.utils.clip_grad_norm_ (L2): the global norm ‖g‖ over every gradient; when it exceeds maxNorm,
 * every gradient is scaled by maxNorm / (‖g‖ + 1e-6). Returns the norm before clipping. Float32 gradients
 * in kernel memory go through the SIMD kernels (the sum of squares still accumulated in float64).
 */
export function clipGradNorm(parameters: readonly Parameter[], maxNorm: number): number {
  const norm = gradientNorm(parameters);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const p of parameters) {
      const { grad } = p;
      const runs = gradientRuns(p);
      for (let r = 0; r < runs.length; r += 2) {
        const from = runs[r]!;
        const n = runs[r + 1]!;
        if (onVectorKernels(grad)) scaleF32(grad as Float32Array, from, n, coef);
        else for (let i = from; i < from + n; i++) grad[i] = grad[i]! * coef;
      }
    }
  }
  return norm;
}
