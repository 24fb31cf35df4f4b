import { UserError } from '../../errors/user-error.ts';
import type { FloatArray } from '../../numerics/tensor.ts';

export interface MixtureOptions {
  /** Stop when an EM step raises the mean log-likelihood per token by less than this (nats). */
  readonly tolerance?: number;
  /** Stop after this many EM steps even if the tolerance is not reached. */
  readonly maxIterations?: number;
}

export interface Mixture {
  /** λ_k, one per component in the order given; they sum to 1. */
  readonly weights: Float64Array;
  /** EM steps taken. */
  readonly iterations: number;
  /** True when the last step's gain was below the tolerance (false: stopped by maxIterations). */
  readonly converged: boolean;
  /** ln Σ_k λ_k p_k(t), per token, in the components' token order. */
  readonly logProbs: Float64Array;
  /** exp(−mean of logProbs); Infinity when some token has probability 0 under every component. */
  readonly perplexity: number;
}

export const MIXTURE_TOLERANCE = 1e-10;
export const MIXTURE_MAX_ITERATIONS = 10_000;

/** Same number of tokens in every per-token array, or a UserError naming the lengths. */
export function checkSameTokens(what: string, lengths: readonly number[]): void {
  if (lengths.some((n) => n !== lengths[0])) {
    throw new UserError(`${what}: the runs did not predict the same tokens (token counts ${lengths.join(', ')})`);
  }
}

/**
 * ln Σ_k λ_k p_k(t) for one token with log-sum-exp, writing the posteriors λ_k p_k(t) / Σ into `posterior`.
 * A component with λ_k = 0 or p_k(t) = 0 adds nothing; a token no component gives mass gets −Infinity and
 * zero posteriors, so it moves no weight.
 */
function mixToken(components: readonly FloatArray[], logWeights: Float64Array, t: number, posterior: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < components.length; k++) {
    const lw = logWeights[k]! + components[k]![t]!;
    posterior[k] = lw;
    if (lw > max) max = lw;
  }
  if (max === -Infinity) {
    posterior.fill(0);
    return -Infinity;
  }
  let sum = 0;
  for (let k = 0; k < components.length; k++) {
    const e = Math.exp(posterior[k]! - max);
    posterior[k] = e;
    sum += e;
  }
  for (let k = 0; k < components.length; k++) posterior[k]! /= sum;
  return max + Math.log(sum);
}

/**
 * Maximum-likelihood interpolation weights of several models' per-token ln p on one split, by EM (as SRILM's
 * compute-best-mix): start from uniform weights; each step sets λ_k to the mean posterior of component k.
 * EM never lowers the likelihood, so the gain per step is the stopping rule.
 */
export function fitMixture(components: readonly FloatArray[], options: MixtureOptions = {}): Mixture {
  const tolerance = options.tolerance ?? MIXTURE_TOLERANCE;
  const maxIterations = options.maxIterations ?? MIXTURE_MAX_ITERATIONS;
  const K = components.length;
  if (K === 0) throw new UserError('mixture: no runs to mix');
  checkSameTokens(
    'mixture',
    components.map((c) => c.length),
  );
  const T = components[0]!.length;
  if (T === 0) throw new UserError('mixture: the runs predicted no tokens');
  const weights = new Float64Array(K).fill(1 / K);
  const logWeights = new Float64Array(K);
  const posterior = new Float64Array(K);
  const counts = new Float64Array(K);
  let previous = -Infinity;
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    for (let k = 0; k < K; k++) logWeights[k] = Math.log(weights[k]!);
    counts.fill(0);
    let total = 0;
    let finite = 0;
    for (let t = 0; t < T; t++) {
      const lp = mixToken(components, logWeights, t, posterior);
      if (lp === -Infinity) continue;
      total += lp;
      finite++;
      for (let k = 0; k < K; k++) counts[k]! += posterior[k]!;
    }
    // The mean over tokens some component predicts: those no component predicts are −Infinity whatever λ is.
    const mean = finite ? total / finite : 0;
    if (iterations > 0 && mean - previous < tolerance) {
      converged = true;
      break;
    }
    if (finite === 0) break;
    previous = mean;
    for (let k = 0; k < K; k++) weights[k] = counts[k]! / finite;
    iterations++;
  }
  const logProbs = mixLogProbs(components, weights);
  let sum = 0;
  for (let t = 0; t < T; t++) sum += logProbs[t]!;
  return { weights, iterations, converged, logProbs, perplexity: Math.exp(-sum / T) };
}

/** ln Σ_k λ_k p_k(t) of every token: the weights fitted on one split applied to another split's per-token ln p. */
export function mixLogProbs(components: readonly FloatArray[], weights: ArrayLike<number>): Float64Array {
  const K = components.length;
  if (weights.length !== K) throw new RangeError(`${weights.length} weights for ${K} components`);
  checkSameTokens(
    'mixture',
    components.map((c) => c.length),
  );
  const T = components[0]?.length ?? 0;
  const logWeights = Float64Array.from({ length: K }, (_, k) => Math.log(weights[k]!));
  const posterior = new Float64Array(K);
  const logProbs = new Float64Array(T);
  for (let t = 0; t < T; t++) logProbs[t] = mixToken(components, logWeights, t, posterior);
  return logProbs;
}
