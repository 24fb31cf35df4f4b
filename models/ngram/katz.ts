import { type ContextRule, contextStatistics } from './backoff-form.ts';
import { katzCount, type KatzDiscount } from './good-turing.ts';

/**
 * Katz's rule frees nothing after a context whose counts all exceed k, which would give every other word
 * probability 0 there (SRILM warns and writes such a back-off weight as −99). Such a context is discounted
 * as if its counts were k, by d_k, the smallest discount of the order: a departure from Katz 1987, so that
 * the model is smoothed everywhere.
 */
function keepsEverything(counts: Uint32Array, d: KatzDiscount, first: number, end: number): boolean {
  for (let i = first; i < end; i++) if (katzCount(d, counts[i]!) < counts[i]!) return false;
  return true;
}

/**
 * Katz back-off (Katz 1987, eq. 16; Chen & Goodman 1998 §2.4, eq. 9): a seen word keeps its Good-Turing
 * discounted count, α(w | h) = d_c c(h w) / c(h •); the mass that frees goes to the unseen words in the
 * proportions of the lower order (the back-off composition of `composeBackoff`).
 */
export function katzRule(counts: Uint32Array, d: KatzDiscount): ContextRule {
  return (_h, first, end, alpha) => {
    const { total } = contextStatistics(counts, first, end);
    const ratio = keepsEverything(counts, d, first, end) ? d.ratios.at(-1)! : undefined;
    for (let i = first; i < end; i++) {
      const c = counts[i]!;
      alpha[i - first] = total === 0 ? 0 : (ratio === undefined ? katzCount(d, c) : ratio * c) / total;
    }
    return 0;
  };
}
