import type { ProgressEvent } from '../types.ts';
import { absoluteDiscounts } from './absolute-discounting.ts';
import { adjustCounts } from './adjusting.ts';
import { type BackoffWeights, composeBackoff } from './backoff-form.ts';
import { countOfCounts as countOfCountsOf } from './count-of-counts.ts';
import { countNgrams, type NgramCounts } from './counting.ts';
import { estimateDiscounts, type Discount } from './discounting.ts';
import { katzDiscounts, type KatzDiscount } from './good-turing.ts';
import { interpolate } from './interpolating.ts';
import { fitLambdas, jelinekMercerRule, type Lambdas } from './jelinek-mercer.ts';
import { katzRule } from './katz.ts';
import { contextTotals, type NgramTables } from './tables.ts';
import { wittenBellRule } from './witten-bell.ts';

export type EstimatedSmoothing =
  | 'mle'
  | 'add-k'
  | 'kn'
  | 'mkn'
  | 'kn-backoff'
  | 'mkn-backoff'
  | 'witten-bell'
  | 'absolute-discounting'
  | 'katz'
  | 'jelinek-mercer';

export interface EstimateOptions {
  readonly smoothing: EstimatedSmoothing;
  /** D1, D2, D3+ for orders whose discounts cannot be estimated (Kneser-Ney, absolute discounting; katz uses D1). */
  readonly discountFallback?: readonly [number, number, number];
  /** Absolute discounting's fixed D (one for every order, or one per order, the last repeated). */
  readonly discount?: number | readonly number[];
  /** Katz: counts above this are not discounted (Chen & Goodman's k = 5). */
  readonly gtMax?: number;
  /** Jelinek-Mercer: held-out marked text the λ are fitted on (by EM), unless `lambdas` fixes them. */
  readonly heldOut?: Int32Array;
  /** Jelinek-Mercer: buckets of c(h •) per order, each with its own λ. */
  readonly buckets?: number;
  /** Jelinek-Mercer: fixed λ per order from unigrams up (the last repeated), instead of EM. */
  readonly lambdas?: readonly number[];
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface Estimate {
  readonly tables: NgramTables;
  /** Discounts per order (Kneser-Ney and absolute discounting). */
  readonly discounts?: readonly Discount[];
  /** Count-of-counts n1..n4 of the discounted counts per order (Kneser-Ney: adjusted; absolute discounting: occurrences). */
  readonly countOfCounts?: readonly (readonly number[])[];
  /** Katz's Good-Turing ratios per order. */
  readonly katz?: readonly KatzDiscount[];
  /** Jelinek-Mercer's λ. */
  readonly lambdas?: Lambdas;
}

/** Chen & Goodman's k: counts above 5 are reliable enough to keep (Katz 1987 suggests the same). */
export const DEFAULT_GT_MAX = 5;

/**
 * The estimation pipeline, one stage per module as in KenLM's lmplz: counting → adjusting (Kneser-Ney) →
 * discounting → the back-off form (`composeBackoff`, interpolated or backed off), or counting alone (mle,
 * add-k, which keep counts and divide at scoring time). `text` is the training split with its markers
 * (`markedTokens`).
 */
export function estimate(text: Int32Array, order: number, vocabSize: number, options: EstimateOptions): Estimate {
  const progress = (phase: string, done: number, total: number): void => options.onProgress?.({ phase, done, total, unit: 'orders' });
  progress('counting', 0, order);
  const counted = countNgrams(text, order, vocabSize);
  progress('counting', order, order);
  const { trie, counts } = counted;
  const smoothing = options.smoothing;
  if (smoothing === 'mle' || smoothing === 'add-k') {
    return { tables: { kind: 'counts', trie, counts, totals: contextTotals(trie, counts) } };
  }
  const backoff = (weights: BackoffWeights): NgramTables => {
    progress('smoothing', order, order);
    return { kind: 'backoff', trie, logProb: weights.logProb, logBackoff: weights.logBackoff };
  };
  progress('discounting', 0, order);
  switch (smoothing) {
    case 'witten-bell':
      return { tables: backoff(composeBackoff(counted, 'interpolated', (k) => wittenBellRule(counts[k - 1]!))) };
    case 'absolute-discounting': {
      const adjusted = { counts, countOfCounts: counts.map((c) => countOfCountsOf(c, 4)) };
      const discounts = absoluteDiscounts(adjusted.countOfCounts, options.discount, options.discountFallback);
      return { tables: backoff(interpolate(counted, adjusted, discounts)), discounts, countOfCounts: adjusted.countOfCounts };
    }
    case 'katz':
      return katz(counted, options, backoff);
    case 'jelinek-mercer': {
      const lambdas = jelinekMercerLambdas(counted, options);
      return { tables: backoff(composeBackoff(counted, 'interpolated', (k) => jelinekMercerRule(counts[k - 1]!, lambdas.values[k - 1]!))), lambdas };
    }
    default:
      return kneserNey(counted, smoothing, options, backoff);
  }
}

function jelinekMercerLambdas(counted: NgramCounts, options: EstimateOptions): Lambdas {
  const order = counted.trie.order;
  if (options.lambdas) {
    const given = options.lambdas;
    return { values: Array.from({ length: order }, (_, i) => Float64Array.of(given[Math.min(i, given.length - 1)]!)), iterations: 0 };
  }
  if (!options.heldOut) throw new Error('jelinek-mercer: the λ are fitted on held-out text, and none was given');
  return fitLambdas(counted, options.heldOut, { buckets: options.buckets ?? 1 });
}

function katz(counted: NgramCounts, options: EstimateOptions, backoff: (weights: BackoffWeights) => NgramTables): Estimate {
  const gtMax = options.gtMax ?? DEFAULT_GT_MAX;
  const { counts } = counted;
  const katzD = katzDiscounts(
    counts.map((c) => countOfCountsOf(c, gtMax + 1)),
    gtMax,
    options.discountFallback?.[0],
  );
  return { tables: backoff(composeBackoff(counted, 'backoff', (k) => katzRule(counts[k - 1]!, katzD[k - 1]!))), katz: katzD };
}

function kneserNey(
  counted: NgramCounts,
  smoothing: 'kn' | 'mkn' | 'kn-backoff' | 'mkn-backoff',
  options: EstimateOptions,
  backoff: (weights: BackoffWeights) => NgramTables,
): Estimate {
  const kind = smoothing === 'kn' || smoothing === 'kn-backoff' ? 'kn' : 'mkn';
  const adjusted = adjustCounts(counted);
  const discounts = estimateDiscounts(adjusted.countOfCounts, kind, options.discountFallback, smoothing);
  const composition = smoothing.endsWith('-backoff') ? 'backoff' : 'interpolated';
  return { tables: backoff(interpolate(counted, adjusted, discounts, composition)), discounts, countOfCounts: adjusted.countOfCounts };
}
