import { BOS_ID } from '../../corpora/vocabulary.ts';
import { type ContextRule, contextStatistics } from './backoff-form.ts';
import type { NgramCounts } from './counting.ts';
import { contextTotals } from './tables.ts';

/**
 * Jelinek-Mercer smoothing, deleted interpolation (Jelinek & Mercer 1980; Chen & Goodman 1998 §2.3, eq. 2):
 *
 *   p(w | h) = λ(h) c(h w) / c(h •) + (1 − λ(h)) p(w | h′)
 *
 * with λ(h) shared by the contexts of one order in one bucket of c(h •) (Bahl, Jelinek & Mercer 1983; Chen &
 * Goodman bucket by the count of the history too): bucket ⌊log2 c(h •)⌋, the last bucket open-ended, so that a
 * history seen often trusts its own counts more. The λ are fitted on held-out text (the valid split) by EM.
 */
export interface Lambdas {
  /** `values[k − 1][b]`: λ of the order-k contexts in bucket b. */
  readonly values: readonly Float64Array[];
  /** EM iterations it took (0 when the λ were given). */
  readonly iterations: number;
  /** Held-out log-likelihood per token (nats) at the fitted λ. */
  readonly heldOutLogLikelihood?: number;
}

export function bucketOf(total: number, buckets: number): number {
  return Math.min(buckets - 1, Math.floor(Math.log2(total)));
}

export function jelinekMercerRule(counts: Uint32Array, lambdas: Float64Array): ContextRule {
  const buckets = lambdas.length;
  return (_h, first, end, alpha) => {
    const { total } = contextStatistics(counts, first, end);
    if (total === 0) {
      alpha.fill(0, 0, end - first);
      return 1;
    }
    const lambda = lambdas[bucketOf(total, buckets)]!;
    for (let i = first; i < end; i++) alpha[i - first] = (lambda * counts[i]!) / total;
    return 1 - lambda;
  };
}

/** λ kept inside (0, 1): a λ of 1 would give every unseen continuation of its contexts probability 0. */
const LAMBDA_RANGE = [1e-6, 1 - 1e-6] as const;

export interface EmOptions {
  readonly buckets: number;
  /** Stop when an iteration gains less than this many nats per held-out token (SRILM compute-best-mix: 1e-10 relative). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Fit the λ by EM on held-out text (Jelinek & Mercer 1980; the expected share of each level in the nested
 * mixture p_k = λ_k ML_k + (1 − λ_k) p_{k−1}, p_0 uniform over V′): the E-step gives each held-out token's
 * posterior of "stopped at level k" and "reached level k", the M-step sets λ_{k,b} = Σ stopped / Σ reached over the
 * tokens whose order-k history is in bucket b. A level whose history was never followed in training is absent
 * for that token (its p is the lower order's), as it is when the model scores. `heldOut` is marked text
 * (`markedTokens`).
 */
export function fitLambdas(counted: NgramCounts, heldOut: Int32Array, options: EmOptions): Lambdas {
  const { trie, counts } = counted;
  const order = trie.order;
  const buckets = options.buckets;
  const totals = contextTotals(trie, counts);
  const uniform = 1 / (trie.vocabSize - 1);
  // Per held-out token and level: the maximum-likelihood probability and the λ's bucket (−1: level absent).
  const tokens: number[] = [];
  const ml: number[] = [];
  const bucket: number[] = [];
  const history: number[] = [];
  for (let t = 0; t < heldOut.length; t++) {
    const w = heldOut[t]!;
    if (w === BOS_ID) {
      history.length = 0;
      history.push(BOS_ID);
      continue;
    }
    tokens.push(t);
    let absent = false;
    for (let k = 1; k <= order; k++) {
      // The order-k history is the last k − 1 tokens (the forward trie finds it from its first word).
      const context = absent || k - 1 > history.length ? -1 : k === 1 ? 0 : trie.find(history.slice(history.length - (k - 1)));
      const total = context >= 0 ? totals[k - 1]![context]! : 0;
      if (total === 0) {
        absent = true;
        ml.push(0);
        bucket.push(-1);
        continue;
      }
      const found = trie.child(k - 1, context, w);
      ml.push(found >= 0 ? counts[k - 1]![found]! / total : 0);
      bucket.push(bucketOf(total, buckets));
    }
    history.push(w);
    if (history.length > order - 1) history.shift();
  }
  return runEm(ml, bucket, tokens.length, order, buckets, uniform, options);
}

function runEm(ml: number[], bucket: number[], n: number, order: number, buckets: number, uniform: number, options: EmOptions): Lambdas {
  const values = Array.from({ length: order }, () => new Float64Array(buckets).fill(0.5));
  const stopped = Array.from({ length: order }, () => new Float64Array(buckets));
  const reached = Array.from({ length: order }, () => new Float64Array(buckets));
  const p = new Float64Array(order + 1);
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 2000;
  let previous = -Infinity;
  let logLikelihood = -Infinity;
  let iteration = 0;
  while (iteration < maxIterations) {
    iteration++;
    for (let k = 0; k < order; k++) {
      stopped[k]!.fill(0);
      reached[k]!.fill(0);
    }
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const row = t * order;
      // Forward: p_k of every present level (levels are present from 1 up to some K).
      p[0] = uniform;
      let top = 0;
      for (let k = 1; k <= order; k++) {
        const b = bucket[row + k - 1]!;
        if (b < 0) break;
        const lambda = values[k - 1]![b]!;
        p[k] = lambda * ml[row + k - 1]! + (1 - lambda) * p[k - 1]!;
        top = k;
      }
      const total = p[top]!;
      sum += Math.log(total);
      // Backward: the mass that reached level k, and the share of it that stopped there.
      let weight = 1 / total;
      for (let k = top; k >= 1; k--) {
        const b = bucket[row + k - 1]!;
        const lambda = values[k - 1]![b]!;
        reached[k - 1]![b]! += weight * p[k]!;
        stopped[k - 1]![b]! += weight * lambda * ml[row + k - 1]!;
        weight *= 1 - lambda;
      }
    }
    logLikelihood = sum / n;
    for (let k = 0; k < order; k++) {
      let pooledStopped = 0;
      let pooledReached = 0;
      for (let b = 0; b < buckets; b++) {
        pooledStopped += stopped[k]![b]!;
        pooledReached += reached[k]![b]!;
      }
      const pooled = pooledReached > 0 ? pooledStopped / pooledReached : 0.5;
      for (let b = 0; b < buckets; b++) {
        // A bucket no held-out token reached takes its order's pooled λ.
        const lambda = reached[k]![b]! > 0 ? stopped[k]![b]! / reached[k]![b]! : pooled;
        values[k]![b] = Math.min(LAMBDA_RANGE[1], Math.max(LAMBDA_RANGE[0], lambda));
      }
    }
    if (logLikelihood - previous < tolerance) break;
    previous = logLikelihood;
  }
  return { values, iterations: iteration, heldOutLogLikelihood: logLikelihood };
}
