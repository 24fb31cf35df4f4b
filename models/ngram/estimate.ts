import type { ProgressEvent } from '../types.ts';
import { adjustCounts } from './adjusting.ts';
import { countNgrams } from './counting.ts';
import { estimateDiscounts, type Discount } from './discounting.ts';
import { interpolate } from './interpolating.ts';
import { contextTotals, type NgramTables } from './tables.ts';

export type EstimatedSmoothing = 'mle' | 'add-k' | 'kn' | 'mkn';

export interface EstimateOptions {
  readonly smoothing: EstimatedSmoothing;
  /** D1, D2, D3+ for orders whose Kneser-Ney discounts cannot be estimated. */
  readonly discountFallback?: readonly [number, number, number];
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface Estimate {
  readonly tables: NgramTables;
  /** Kneser-Ney discounts per order (absent for mle and add-k). */
  readonly discounts?: readonly Discount[];
  /** Count-of-counts n1..n4 of the adjusted counts per order (Kneser-Ney only). */
  readonly countOfCounts?: readonly (readonly number[])[];
}

/**
 * The estimation pipeline, one stage per module as in KenLM's lmplz: counting → adjusting → discounting →
 * interpolating (Kneser-Ney), or counting alone (mle, add-k, which keep counts and divide at scoring time).
 * `text` is the training split with its markers (`markedTokens`).
 */
export function estimate(text: Int32Array, order: number, vocabSize: number, options: EstimateOptions): Estimate {
  const progress = (phase: string, done: number, total: number): void => options.onProgress?.({ phase, done, total, unit: 'orders' });
  progress('counting', 0, order);
  const counted = countNgrams(text, order, vocabSize);
  progress('counting', order, order);
  const { trie, counts } = counted;
  if (options.smoothing === 'mle' || options.smoothing === 'add-k') {
    return { tables: { kind: 'counts', trie, counts, totals: contextTotals(trie, counts) } };
  }
  progress('adjusting', 0, order);
  const adjusted = adjustCounts(counted);
  progress('discounting', 0, order);
  const discounts = estimateDiscounts(adjusted.countOfCounts, options.smoothing, options.discountFallback);
  progress('interpolating', 0, order);
  const { logProb, logBackoff } = interpolate(counted, adjusted, discounts);
  progress('interpolating', order, order);
  return { tables: { kind: 'backoff', trie, logProb, logBackoff }, discounts, countOfCounts: adjusted.countOfCounts };
}
