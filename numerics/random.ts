import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import type { FloatArray } from './tensor.ts';

/**
 * The one source of randomness of the project (initialisation, dropout, shuffling, sampling): a seeded xoroshiro128+ stream (pure-rand), so a run
 * is reproducible from its seed. Draws fill caller-owned arrays; nothing is allocated per value.
 */
export class Random {
  private readonly rng: JumpableRandomGenerator;
  /** Box–Muller yields normals in pairs; the second waits here. */
  private spareNormal = NaN;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${String(seed)}`);
    this.rng = xoroshiro128plus(seed);
    // pure-rand seeds xoroshiro128+ with the 32-bit seed almost as is, so nearby small seeds start from
    // nearly equal states (the first draw is ≈ 1.0 for seeds 1..5). A jump (2⁶⁴ steps) mixes every state
    // bit, so seeds 1, 2, 3 give unrelated streams from the first draw.
    this.rng.jump();
  }

  /** Uniform in [0, 1) with 53 random bits. */
  float(): number {
    return uniformFloat64(this.rng);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.rng, 0, n - 1);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    // 1 − u ∈ (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.float()));
    const theta = 2 * Math.PI * this.float();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** out[i] ~ U(lo, hi) */
  uniform(out: FloatArray, lo: number, hi: number): void {
    const width = hi - lo;
    for (let i = 0; i < out.length; i++) out[i] = lo + width * this.float();
  }

  /** out[i] ~ N(mean, std²) */
  normals(out: FloatArray, mean = 0, std = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  /** Inverted-dropout mask: each entry 0 with probability p, else 1/(1 − p) (torch.nn.Dropout's scaling). */
  dropoutMask(mask: FloatArray, p: number): void {
    if (p === 0) {
      mask.fill(1);
      return;
    }
    const keep = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = this.float() < p ? 0 : keep;
  }

  /** Fisher–Yates shuffle of `a` in place. */
  shuffle(a: Int32Array | Uint32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = uniformInt(this.rng, 0, i);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}
