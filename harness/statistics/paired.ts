import { UserError } from '../../errors/user-error.ts';
import { Random } from '../../numerics/random.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import { checkSameTokens } from './mixture.ts';
import { quantile, sumByUnit, total, totalByUnit } from './units.ts';

export interface PairedOptions {
  /** Bootstrap resamples of the units. */
  readonly resamples?: number;
  readonly seed?: number;
  /** Two-sided coverage of the intervals. */
  readonly confidence?: number;
}

export interface Interval {
  /** On all the units (the mean over seeds for a group of seeds). */
  readonly estimate: number;
  /** Percentile interval over the resamples. */
  readonly low: number;
  readonly high: number;
}

/**
 * What is compared: exp(−Σ ln p / Σ tokens); −Σ ln p / (ln 2 · Σ characters) across vocabularies; or the
 * cross-entropy −Σ ln p / (ln 2 · Σ tokens) in bits per token, whose differences Chen & Goodman (1998) plot.
 */
export type PairedStatistic = 'perplexity' | 'bits-per-character' | 'bits-per-token';

export interface PairedComparison {
  readonly statistic: PairedStatistic;
  /** The statistic of A and of B on all the units (each the mean over its seeds). */
  readonly a: number;
  readonly b: number;
  /** statistic(A) − statistic(B): negative when A is better. */
  readonly difference: Interval;
  /** statistic(A) / statistic(B). */
  readonly ratio: Interval;
  /**
   * Two-sided p-value for "no difference": min(1, 2k / R), k the resamples whose difference is ≤ 0 when the
   * observed one is > 0 (≥ 0 when < 0); 1 when the observed difference is 0. Its resolution is 2 / R.
   */
  readonly pValue: number;
  readonly resamples: number;
}

/** Two sides of a paired comparison on the same resampling units. */
export interface PairedUnits {
  /** Σ ln p of each unit, one array per seed of configuration A (a single run: one array). */
  readonly a: readonly Float64Array[];
  readonly b: readonly Float64Array[];
  /** Each unit's denominator: its tokens for perplexity and bits per token, its characters for bits per character. */
  readonly denominators: Float64Array;
  readonly statistic?: PairedStatistic;
}

export const PAIRED_RESAMPLES = 1000;

function statisticOf(statistic: PairedStatistic): (logprob: number, denominator: number) => number {
  // Bits per character and bits per token are the same formula over another denominator (characters, tokens).
  return statistic === 'perplexity' ? (l, n) => Math.exp(-l / n) : (l, n) => -l / (Math.LN2 * n);
}

/**
 * Koehn (2004)'s paired bootstrap over units: R times, draw as many units as the split has, with replacement,
 * the same draw for both sides, and recompute each side's statistic on it; the intervals are the percentiles of
 * the resampled difference and ratio. Seeded: the same inputs and seed give the same result.
 *
 * A side with several seeds is one configuration, not several models: each resample first draws one of its seeds
 * (uniformly, independently for A and B), then the units, so the interval covers the variance between seeds (an
 * optimiser's instability, Clark et al. 2011) as well as the test set's; this is the two-stage bootstrap of
 * hierarchical data (Davison & Hinkley 1997, §3.8) with the seed as the first stage. The estimate is the mean of
 * the statistic over the seeds. With one seed a side draws nothing more, and this is Koehn's test exactly.
 */
export function pairedUnitBootstrap(units: PairedUnits, options: PairedOptions = {}): PairedComparison {
  const resamples = options.resamples ?? PAIRED_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${String(resamples)}`);
  const alpha = 1 - (options.confidence ?? 0.95);
  const statistic = units.statistic ?? 'perplexity';
  const f = statisticOf(statistic);
  const { a, b, denominators } = units;
  const U = denominators.length;
  if (U === 0) throw new UserError('paired comparison: no sentences');
  if (a.length === 0 || b.length === 0) throw new RangeError('paired comparison: a side without runs');
  for (const side of [...a, ...b]) if (side.length !== U) throw new RangeError(`paired comparison: ${side.length} unit sums for ${U} units`);
  const all = total(denominators);
  const mean = (side: readonly Float64Array[]): number => side.reduce((m, s) => m + f(total(s), all), 0) / side.length;
  const statA = mean(a);
  const statB = mean(b);
  const observed = statA - statB;
  const random = new Random(options.seed ?? 1);
  const differences = new Float64Array(resamples);
  const ratios = new Float64Array(resamples);
  let flips = 0;
  for (let r = 0; r < resamples; r++) {
    const sa = a.length === 1 ? a[0]! : a[random.int(a.length)]!;
    const sb = b.length === 1 ? b[0]! : b[random.int(b.length)]!;
    let la = 0;
    let lb = 0;
    let n = 0;
    for (let i = 0; i < U; i++) {
      const u = random.int(U);
      la += sa[u]!;
      lb += sb[u]!;
      n += denominators[u]!;
    }
    const ra = f(la, n);
    const rb = f(lb, n);
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
    statistic,
    a: statA,
    b: statB,
    difference: interval(observed, differences),
    ratio: interval(statA / statB, ratios),
    pValue: observed === 0 ? 1 : Math.min(1, (2 * flips) / resamples),
    resamples,
  };
}

/**
 * The paired bootstrap of two runs' per-token ln p on the same tokens, over units of `block` sentences (1: single
 * sentences, sentence mode; stream mode resamples blocks, `unitSentences`).
 */
export function pairedBootstrap(
  a: FloatArray,
  b: FloatArray,
  sentenceLengths: ArrayLike<number>,
  options: PairedOptions & { readonly block?: number } = {},
): PairedComparison {
  checkSameTokens('paired comparison', [a.length, b.length]);
  const covered = total(sentenceLengths);
  if (covered !== a.length) throw new UserError(`paired comparison: the sentence lengths add up to ${covered} tokens, the runs predicted ${a.length}`);
  const block = options.block ?? 1;
  return pairedUnitBootstrap(
    { a: [sumByUnit(a, sentenceLengths, block)], b: [sumByUnit(b, sentenceLengths, block)], denominators: totalByUnit(sentenceLengths, block) },
    options,
  );
}
