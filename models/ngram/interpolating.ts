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
  const { trie, suffixes } = counted;
  const order = trie.order;
  // Uniform over every word but <s> (lmplz: "includes <unk> but excludes <s>").
  const uniform = Math.fround(1 / (trie.vocabSize - 1));
  const logProb: Float32Array[] = [];
  const logBackoff: Float32Array[] = [];
  // p of the (k−1)-grams, in single precision as lmplz keeps them; for k = 1 the uniform "0-gram".
  let lower = Float32Array.of(uniform);
  for (let k = 1; k <= order; k++) {
    const size = trie.size(k);
    const a = adjusted.counts[k - 1]!;
    const d = discounts[k - 1]!;
    const suffix = suffixes[k - 1]!;
    // The children of context h are [start[h], start[h + 1]); unigrams are the children of the empty context.
    const start = k === 1 ? Uint32Array.of(0, size) : trie.childStart[k - 2]!;
    const contexts = start.length - 1;
    const bo = new Float32Array(k === 1 ? 0 : contexts);
    const p = new Float32Array(size);
    const lp = new Float32Array(size);
    for (let h = 0; h < contexts; h++) {
      const first = start[h]!;
      const end = start[h + 1]!;
      let denominator = 0;
      let discounted = 0;
      for (let i = first; i < end; i++) {
        const c = a[i]!;
        denominator += c;
        if (c > 0) discounted += discountAmount(d, c);
      }
      if (denominator === 0) continue; // not a context: back-off weight 1
      const gamma = discounted / denominator;
      if (k > 1) bo[h] = Math.log10(gamma);
      for (let i = first; i < end; i++) {
        const c = a[i]!;
        const own = c > 0 ? (c - discountAmount(d, c)) / denominator : 0;
        p[i] = own + gamma * lower[k === 1 ? 0 : suffix[i]!]!;
        // Rounding can push a probability a hair above 1; lmplz clamps log10 p at 0 too.
        lp[i] = Math.min(0, Math.log10(p[i]!));
      }
    }
    if (k === 1) {
      p[BOS_ID] = 0;
      lp[BOS_ID] = -Infinity;
    } else {
      logBackoff.push(bo);
    }
    logProb.push(lp);
    lower = p;
  }
  return { logProb, logBackoff };
}
