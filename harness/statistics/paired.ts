import { UserError } from '../../errors/user-error.ts';
import { Random } from '../../numerics/random.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import { checkSameTokens } from './mixture.ts';

export interface PairedOptions {
  /** Bootstrap resamples of the sentences. */
  readonly resamples?: number;
  readonly seed?: number;
  /** Two-sided coverage of the intervals. */
  readonly confidence?: number;
}

export interface Interval {
  /** On all the sentences. */
  readonly estimate: number;
  /** Percentile interval over the resamples. */
  readonly low: number;
  readonly high: number;
}

export interface PairedComparison {
  /** perplexity(A) − perplexity(B): negative when A is better. */
  readonly difference: Interval;
  /** perplexity(A) / perplexity(B). */
  readonly ratio: Interval;
  /**
   * Two-sided p-value for "no difference": min(1, 2k / R), k the resamples whose difference is ≤ 0 when the
   * observed one is > 0 (≥ 0 when < 0); 1 when the observed difference is 0. Its resolution is 2 / R.
   */
  readonly pValue: number;
  readonly resamples: number;
}

export const PAIRED_RESAMPLES = 1000;

/** Σ ln p per sentence of each run, after checking both runs and the sentence lengths cover the same tokens. */
function sentenceSums(a: FloatArray, b: FloatArray, sentenceLengths: ArrayLike<number>): [Float64Array, Float64Array] {
  checkSameTokens('paired comparison', [a.length, b.length]);
  const S = sentenceLengths.length;
  const sa = new Float64Array(S);
  const sb = new Float64Array(S);
  let t = 0;
  for (let s = 0; s < S; s++) {
    const end = t + sentenceLengths[s]!;
    if (end > a.length) break;
    for (; t < end; t++) {
      sa[s]! += a[t]!;
      sb[s]! += b[t]!;
    }
  }
  let total = 0;
  for (let s = 0; s < S; s++) total += sentenceLengths[s]!;
  if (total !== a.length) throw new UserError(`paired comparison: the sentence lengths add up to ${total} tokens, the runs predicted ${a.length}`);
  return [sa, sb];
}

/** Linear-interpolation quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const x = q * (sorted.length - 1);
  const i = Math.floor(x);
  const lo = sorted[i]!;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
  return lo + (x - i) * (hi - lo);
}

/**
 * Koehn (2004)'s paired bootstrap: R times, draw as many sentences as the split has, with replacement, the same
 * draw for both runs, and recompute each run's perplexity exp(−Σ ln p / Σ tokens) on it; the intervals are the
 * percentiles of the resampled difference and ratio. Seeded: the same inputs and seed give the same result.
 */
export function pairedBootstrap(a: FloatArray, b: FloatArray, sentenceLengths: ArrayLike<number>, options: PairedOptions = {}): PairedComparison {
  const resamples = options.resamples ?? PAIRED_RESAMPLES;
  const alpha = 1 - (options.confidence ?? 0.95);
  const [sa, sb] = sentenceSums(a, b, sentenceLengths);
  const S = sa.length;
  if (S === 0) throw new UserError('paired comparison: no sentences');
  let totalA = 0;
  let totalB = 0;
  for (let s = 0; s < S; s++) {
    totalA += sa[s]!;
    totalB += sb[s]!;
  }
  const pplA = Math.exp(-totalA / a.length);
  const pplB = Math.exp(-totalB / a.length);
  const observed = pplA - pplB;
  const random = new Random(options.seed ?? 1);
  const differences = new Float64Array(resamples);
  const ratios = new Float64Array(resamples);
  let flips = 0;
  for (let r = 0; r < resamples; r++) {
    let la = 0;
    let lb = 0;
    let n = 0;
    for (let i = 0; i < S; i++) {
      const s = random.int(S);
      la += sa[s]!;
      lb += sb[s]!;
      n += sentenceLengths[s]!;
    }
    const ra = Math.exp(-la / n);
    const rb = Math.exp(-lb / n);
    differences[r] = ra - rb;
    ratios[r] = ra / rb;
    if (observed > 0 ? ra - rb <= 0 : ra - rb >= 0) flips++;
  }
  differences.sort();
  ratios.sort();
  const interval = (estimate: number, sorted: Float64Array): Interval => ({
    estimate,
    low: quantile(sorted, alpha / 2),
    high: quantile(sorted, 1 - alpha / 2),
  });
  return {
    difference: interval(observed, differences),
    ratio: interval(pplA / pplB, ratios),
    pValue: observed === 0 ? 1 : Math.min(1, (2 * flips) / resamples),
    resamples,
  };
}
