import { UserError } from '../../errors/user-error.ts';
import type { ProgressEvent } from '../types.ts';
import { absoluteDiscounts } from './absolute-discounting.ts';
import { adjustCounts } from './adjusting.ts';
import { type Composition, type ContextRule, composeBackoff } from './backoff-form.ts';
import { countOfCounts as countOfCountsOf } from './count-of-counts.ts';
import { countPruned, prunedRule, pruneThresholds } from './count-pruning.ts';
import { countNgrams, type NgramCounts } from './counting.ts';
import { estimateDiscounts, type Discount } from './discounting.ts';
import { katzDiscounts, type KatzDiscount } from './good-turing.ts';
import { discountedRule } from './interpolating.ts';
import { fitLambdas, jelinekMercerRule, type Lambdas } from './jelinek-mercer.ts';
import { katzRule } from './katz.ts';
import { type BackoffTables, contextTotals, type NgramTables } from './tables.ts';
import { subsetTables } from './trie-subset.ts';
import { entropyPrune } from './entropy-pruning.ts';
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
  /** Count pruning, `lmplz --prune`: one threshold per order from unigrams up (the last repeated); see count-pruning.ts. */
  readonly prune?: readonly number[];
  /** Relative-entropy pruning (Stolcke 1998, SRILM's -prune): θ, after any count pruning; see entropy-pruning.ts. */
  readonly entropyPrune?: number;
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
  /** Pruned models (`prune`, `entropyPrune`): [kept, estimated] n-grams per order. */
  readonly kept?: readonly (readonly [number, number])[];
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
    if (options.prune || options.entropyPrune)
      throw new UserError(`ngram ${smoothing}: pruning needs a smoothed back-off model (kn, mkn, witten-bell, …), not ${smoothing}`);
    return { tables: { kind: 'counts', trie, counts, totals: contextTotals(trie, counts) } };
  }
  const thresholds = options.prune ? pruneThresholds(options.prune, order) : undefined;
  // Before Kneser-Ney adjusts the counts in place: pruning reads the occurrence counts.
  const keep = thresholds ? countPruned(counted, thresholds) : undefined;
  const compose: Compose = (composition, ruleOf) => {
    const weights = composeBackoff(counted, composition, keep ? (k) => prunedRule(ruleOf(k), k === 1 ? undefined : keep[k - 1], composition) : ruleOf);
    progress('smoothing', order, order);
    const tables: BackoffTables = { kind: 'backoff', trie, logProb: weights.logProb, logBackoff: weights.logBackoff };
    const countPruned = keep ? subsetTables(tables, keep) : tables;
    return options.entropyPrune ? entropyPrune(countPruned, options.entropyPrune).tables : countPruned;
  };
  progress('discounting', 0, order);
  const result = smoothed(counted, smoothing, options, compose);
  if (!keep && !options.entropyPrune) return result;
  const estimated = trie.counts();
  return { ...result, kept: result.tables.trie.counts().map((n, i) => [n, estimated[i]!] as const) };
}

/** The smoothed methods, each ending in the back-off form (`compose`). */
function smoothed(counted: NgramCounts, smoothing: Exclude<EstimatedSmoothing, 'mle' | 'add-k'>, options: EstimateOptions, compose: Compose): Estimate {
  const { counts } = counted;
  switch (smoothing) {
    case 'witten-bell':
      return { tables: compose('interpolated', (k) => wittenBellRule(counts[k - 1]!)) };
    case 'absolute-discounting': {
      const countOfCounts = counts.map((c) => countOfCountsOf(c, 4));
      const discounts = absoluteDiscounts(countOfCounts, options.discount, options.discountFallback);
      return { tables: compose('interpolated', (k) => discountedRule(counts[k - 1]!, discounts[k - 1]!)), discounts, countOfCounts };
    }
    case 'katz':
      return katz(counted, options, compose);
    case 'jelinek-mercer': {
      const lambdas = jelinekMercerLambdas(counted, options);
      return { tables: compose('interpolated', (k) => jelinekMercerRule(counts[k - 1]!, lambdas.values[k - 1]!)), lambdas };
    }
    default:
      return kneserNey(counted, smoothing, options, compose);
  }
}

/** The back-off form of the estimates, pruned when the model is (count pruning, then relative-entropy pruning). */
type Compose = (composition: Composition, ruleOf: (k: number) => ContextRule) => BackoffTables;

function jelinekMercerLambdas(counted: NgramCounts, options: EstimateOptions): Lambdas {
  const order = counted.trie.order;
  if (options.lambdas) {
    const given = options.lambdas;
    return { values: Array.from({ length: order }, (_, i) => Float64Array.of(given[Math.min(i, given.length - 1)]!)), iterations: 0 };
  }
  if (!options.heldOut) throw new Error('jelinek-mercer: the λ are fitted on held-out text, and none was given');
  return fitLambdas(counted, options.heldOut, { buckets: options.buckets ?? 1 });
}

function katz(counted: NgramCounts, options: EstimateOptions, compose: Compose): Estimate {
  const gtMax = options.gtMax ?? DEFAULT_GT_MAX;
  const { counts } = counted;
  const katzD = katzDiscounts(
    counts.map((c) => countOfCountsOf(c, gtMax + 1)),
    gtMax,
    options.discountFallback?.[0],
  );
  return { tables: compose('backoff', (k) => katzRule(counts[k - 1]!, katzD[k - 1]!)), katz: katzD };
}

function kneserNey(counted: NgramCounts, smoothing: 'kn' | 'mkn' | 'kn-backoff' | 'mkn-backoff', options: EstimateOptions, compose: Compose): Estimate {
  const kind = smoothing === 'kn' || smoothing === 'kn-backoff' ? 'kn' : 'mkn';
  const adjusted = adjustCounts(counted);
  const discounts = estimateDiscounts(adjusted.countOfCounts, kind, options.discountFallback, smoothing);
  const composition: Composition = smoothing.endsWith('-backoff') ? 'backoff' : 'interpolated';
  return { tables: compose(composition, (k) => discountedRule(adjusted.counts[k - 1]!, discounts[k - 1]!)), discounts, countOfCounts: adjusted.countOfCounts };
}
