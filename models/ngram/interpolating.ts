import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { AdjustedCounts } from './adjusting.ts';
import type { NgramCounts } from './counting.ts';
import { discountAmount, type Discount } from './discounting.ts';

/**
 * Stage 4 (lmplz: "initial probabilities" and "interpolating"): interpolated Kneser-Ney probabilities
 * (Chen & Goodman 1998, eq. 17 with the discounts of eq. 26):
 *
 *   p(w | h) = (a(h w) − D(a(h w))) / Σ_v a(h v)  +  γ(h) · p(w | h′)
 *   γ(h)     = (D1 N1(h •) + D2 N2(h •) + D3+ N3+(h •)) / Σ_v a(h v)
 *
 * with a the adjusted counts, h′ the context without its first word, N_j(h •) the number of words
 * following h with adjusted count j (3 or more for N3+). The unigram level interpolates with the uniform
 * distribution over the vocabulary without `<s>` (lmplz's `--interpolate_unigrams`), which is where a word
 * without training counts, such as `<unk>`, gets its probability. `<s>` is never predicted: probability 0.
 *
 * The result is in back-off form, as in an ARPA file: for a stored n-gram its interpolated probability,
 * for a context its γ, which multiplies the lower order for words the context has not seen.
 */
export interface BackoffWeights {
  /** `logProb[k - 1][i]`: log10 p of k-gram i (−Infinity for `<s>`). */
  readonly logProb: Float32Array[];
  /** `logBackoff[k - 1][i]`: log10 γ of k-gram i as a context, 0 if nothing follows it; orders 1..N−1. */
  readonly logBackoff: Float32Array[];
}

export function interpolate(counted: NgramCounts, adjusted: AdjustedCounts, discounts: readonly Discount[]): BackoffWeights {
  const { order, orders, vocabSize } = counted;
  // Uniform over every word but <s> (lmplz: "includes <unk> but excludes <s>").
  const uniform = 1 / (vocabSize - 1);
  const logProb: Float32Array[] = [];
  const logBackoff: Float32Array[] = [];
  let lower = new Float64Array(1).fill(uniform); // p of the (k−1)-grams; for k = 1 the uniform "0-gram"
  for (let k = 1; k <= order; k++) {
    const { size, parents, suffixes } = orders[k - 1]!;
    const a = adjusted.counts[k - 1]!;
    const d = discounts[k - 1]!;
    const contexts = k === 1 ? 1 : orders[k - 2]!.size;
    const denominator = new Float64Array(contexts);
    const gamma = new Float64Array(contexts);
    for (let i = 0; i < size; i++) {
      const c = a[i]!;
      denominator[parents[i]!]! += c;
      if (c > 0) gamma[parents[i]!]! += discountAmount(d, c);
    }
    for (let h = 0; h < contexts; h++) gamma[h] = denominator[h]! > 0 ? gamma[h]! / denominator[h]! : 0;
    if (k > 1) {
      const bo = new Float32Array(contexts);
      for (let h = 0; h < contexts; h++) bo[h] = gamma[h]! > 0 ? Math.log10(gamma[h]!) : 0;
      logBackoff.push(bo);
    }
    const p = new Float64Array(size);
    const lp = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const h = parents[i]!;
      const c = a[i]!;
      const own = c > 0 ? (c - discountAmount(d, c)) / denominator[h]! : 0;
      p[i] = own + gamma[h]! * lower[k === 1 ? 0 : suffixes[i]!]!;
      // Rounding can push a probability a hair above 1; lmplz clamps log10 p at 0 too.
      lp[i] = Math.min(0, Math.log10(p[i]!));
    }
    if (k === 1) {
      p[BOS_ID] = 0;
      lp[BOS_ID] = -Infinity;
    }
    logProb.push(lp);
    lower = p;
  }
  return { logProb, logBackoff };
}
