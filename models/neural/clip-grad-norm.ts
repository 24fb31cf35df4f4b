import type { Parameter } from './parameter.ts';

/**
 * torch.nn.utils.clip_grad_norm_ (L2): the global norm ‖g‖ over every gradient; when it exceeds maxNorm,
 * every gradient is scaled by maxNorm / (‖g‖ + 1e-6). Returns the norm before clipping.
 */
export function clipGradNorm(parameters: readonly Parameter[], maxNorm: number): number {
  let sq = 0;
  for (const { grad } of parameters) {
    for (let i = 0; i < grad.length; i++) sq += grad[i]! * grad[i]!;
  }
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) {
    for (const { grad } of parameters) {
      for (let i = 0; i < grad.length; i++) grad[i] = grad[i]! * coef;
    }
  }
  return norm;
}
