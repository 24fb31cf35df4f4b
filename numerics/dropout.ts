import type { Random } from './random.ts';
import type { FloatArray } from './tensor.ts';

/**
 * Inverted dropout (torch.nn.Dropout in training mode): each entry is zeroed with probability p and the
 * survivors scaled by 1/(1 − p), so evaluation uses the layer unchanged. The mask keeps those factors for
 * the backward pass. `out` may be `x`.
 */
export function dropoutForward(x: FloatArray, out: FloatArray, mask: FloatArray, n: number, p: number, random: Random): void {
  if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) {
    const m = p > 0 && random.float() < p ? 0 : keep;
    mask[i] = m;
    out[i] = x[i]! * m;
  }
}

/** dx = dy ⊙ mask; dx may be dy. */
export function dropoutBackward(mask: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = dy[i]! * mask[i]!;
}
