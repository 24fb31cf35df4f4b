import type { Parameter } from './parameter.ts';
import { onVectorKernels, scaleF32, sumSquaresF32 } from './vector-kernels/vector.ts';

/**
 * torch.nn.utils.clip_grad_norm_ (L2): the global norm ‖g‖ over every gradient; when it exceeds maxNorm,
 * every gradient is scaled by maxNorm / (‖g‖ + 1e-6). Returns the norm before clipping. Float32 gradients
 * in kernel memory go through the SIMD kernels (the sum of squares still accumulated in float64).
 */
export function clipGradNorm(parameters: readonly Parameter[], maxNorm: number): number {
  let sq = 0;
  for (const { grad } of parameters) {
    if (onVectorKernels(grad)) {
      sq += sumSquaresF32(grad as Float32Array);
      continue;
    }
    for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
  }
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const { grad } of parameters) {
      if (onVectorKernels(grad)) {
        scaleF32(grad as Float32Array, 0, grad.length, coef);
        continue;
      }
      for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! * coef;
    }
  }
  return norm;
}
