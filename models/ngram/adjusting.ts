import { BOS_ID } from '../../corpora/vocabulary.ts';
import { countOfCounts as countOfCountsOf } from './count-of-counts.ts';
import type { NgramCounts } from './counting.ts';

/**
 * Stage 2 (lmplz: "adjusting"): the counts Kneser-Ney smoothing discounts. For the highest order they are
 * the occurrence counts; for lower orders they are continuation counts, N1+(• w_i…w_k) = the number of
 * distinct words seen before the n-gram (Kneser & Ney 1995; Chen & Goodman 1998, section 3.5), because a
 * lower order is only consulted for words the longer context has not explained. N-grams that start with
 * `<s>` keep their occurrence counts: nothing can precede `<s>`, so they are counted as lmplz does.
 */
export interface AdjustedCounts {
  /** `counts[k - 1][i]`: adjusted count of k-gram i (the trie's indexing). */
  readonly counts: readonly Uint32Array[];
  /** `countOfCounts[k - 1][j]`: how many k-grams have adjusted count j, for j = 1..4 (index 0 unused). */
  readonly countOfCounts: readonly (readonly number[])[];
}

/** Adjusts the counts in place (the occurrence counts of `counted` are replaced) to keep memory flat. */
export function adjustCounts(counted: NgramCounts): AdjustedCounts {
  const { trie, counts, suffixes } = counted;
  const order = trie.order;
  // startsWithBos[i]: k-gram i begins with <s>.
  let startsWithBos = new Uint8Array(trie.vocabSize);
  startsWithBos[BOS_ID] = 1;
  for (let k = 1; k < order; k++) {
    const own = counts[k - 1]!;
    for (let i = 0; i < own.length; i++) if (!startsWithBos[i]) own[i] = 0;
    // Each distinct (k+1)-gram v·g adds one to the continuation count of its suffix g (never one that
    // starts with <s>, which no n-gram holds after its first word).
    const longer = suffixes[k]!;
    for (let i = 0; i < longer.length; i++) own[longer[i]!]!++;
    const start = trie.childStart[k - 1]!;
    const next = new Uint8Array(trie.size(k + 1));
    for (let h = 0; h < own.length; h++) if (startsWithBos[h]) next.fill(1, start[h]!, start[h + 1]!);
    startsWithBos = next;
  }
  const countOfCounts = counts.map((c) => countOfCountsOf(c, 4));
  return { counts, countOfCounts };
}
