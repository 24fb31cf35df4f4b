import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { FloatArray } from '../../neural/tensor.ts';

// TEMPORARY: stands in for the neural core's seeded RNG until it lands (branch `window`).
export interface LayerRandom {
  uniform(out: FloatArray, lo: number, hi: number): void;
  dropoutMask(mask: FloatArray, p: number): void;
}

export function seededRandom(seed: number): LayerRandom {
  const rng = xoroshiro128plus(seed);
  return {
    uniform(out, lo, hi) {
      for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * uniformFloat64(rng);
    },
    dropoutMask(mask, p) {
      const keep = 1 / (1 - p);
      for (let i = 0; i < mask.length; i++) mask[i] = uniformFloat64(rng) < p ? 0 : keep;
    },
  };
}
