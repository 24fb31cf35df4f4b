import { type ContextRule, contextStatistics } from './backoff-form.ts';

/**
 * Interpolated Witten-Bell smoothing (Witten & Bell 1991, method C, as Chen & Goodman 1998 §2.5, eq. 11
 * state it for n-grams):
 *
 *   p(w | h) = (c(h w) + N1+(h •) p(w | h′)) / (c(h •) + N1+(h •))
 *
 * so α(w | h) = c(h w) / (c(h •) + N1+(h •)) and γ(h) = N1+(h •) / (c(h •) + N1+(h •)): the lower order
 * gets the weight of "a new word follows h", estimated by how many distinct words did. c are occurrence
 * counts at every order.
 */
export function wittenBellRule(counts: Uint32Array): ContextRule {
  return (_h, first, end, alpha) => {
    const { total, types } = contextStatistics(counts, first, end);
    const denominator = total + types;
    if (denominator === 0) {
      alpha.fill(0, 0, end - first);
      return 1;
    }
    for (let i = first; i < end; i++) alpha[i - first] = counts[i]! / denominator;
    return types / denominator;
  };
}
