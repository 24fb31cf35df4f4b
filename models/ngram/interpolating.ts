import type { AdjustedCounts } from './adjusting.ts';
import { type BackoffWeights, type Composition, type ContextRule, composeBackoff, type TrieLinks } from './backoff-form.ts';
import { discountAmount, type Discount } from './discounting.ts';

/**
 * Stage 4 (lmplz: "initial probabilities" and "interpolating"): Kneser-Ney probabilities (Chen & Goodman
 * 1998, eq. 17 with the discounts of eq. 26), interpolated:
 *
 *   p(w | h) = (a(h w) − D(a(h w))) / Σ_v a(h v)  +  γ(h) · p(w | h′)
 *   γ(h)     = (D1 N1(h •) + D2 N2(h •) + D3+ N3+(h •)) / Σ_v a(h v)
 *
 * with a the adjusted counts, h′ the context without its first word, N_j(h •) the number of words
 * following h with adjusted count j (3 or more for N3+); or backed off (Chen & Goodman §2.7 / Kneser & Ney
 * 1995's own form): the discounted term alone for seen words, the lower order scaled to the mass left
 * for the others (`composeBackoff`).
 *
 * The same rule with occurrence counts instead of adjusted ones is absolute discounting (Ney, Essen &
 * Kneser 1994; Chen & Goodman eq. 13), `absolute-discounting.ts`.
 */
export function discountedRule(counts: Uint32Array, d: Discount): ContextRule {
  return (_h, first, end, alpha) => {
    let denominator = 0;
    let discounted = 0;
    for (let i = first; i < end; i++) {
      const c = counts[i]!;
      denominator += c;
      // A discount larger than the count (a user's fixed D > 1) takes the whole count.
      if (c > 0) discounted += Math.min(c, discountAmount(d, c));
    }
    if (denominator === 0) {
      alpha.fill(0, 0, end - first);
      return 1;
    }
    for (let i = first; i < end; i++) {
      const c = counts[i]!;
      alpha[i - first] = c > 0 ? (c - Math.min(c, discountAmount(d, c))) / denominator : 0;
    }
    return discounted / denominator;
  };
}

/** Kneser-Ney (kn, mkn) from the adjusted counts and the discounts of each order. */
export function interpolate(
  links: TrieLinks,
  adjusted: AdjustedCounts,
  discounts: readonly Discount[],
  composition: Composition = 'interpolated',
): BackoffWeights {
  return composeBackoff(links, composition, (k) => discountedRule(adjusted.counts[k - 1]!, discounts[k - 1]!));
}
