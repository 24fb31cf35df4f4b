import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { NgramCounts } from './counting.ts';

/**
 * Stage 2 (lmplz: "adjusting"): the counts Kneser-Ney smoothing discounts. For the highest order they are
 * the occurrence counts; for lower orders they are continuation counts, N1+(• w_i…w_k) = the number of
 * distinct words seen before the n-gram (Kneser & Ney 1995; Chen & Goodman 1998, section 3.5), because a
 * lower order is only consulted for words the longer context has not explained. N-grams that start with
 * `<s>` keep their occurrence counts: nothing can precede `<s>`, so they are counted as lmplz does.
 */
export interface AdjustedCounts {
  /** `counts[k - 1][i]`: adjusted count of k-gram i (same indexing as `NgramCounts`). */
  readonly counts: readonly Uint32Array[];
  /** `countOfCounts[k - 1][j]`: how many k-grams have adjusted count j, for j = 1..4 (index 0 unused). */
  readonly countOfCounts: readonly (readonly number[])[];
}

export function adjustCounts(counted: NgramCounts): AdjustedCounts {
  const { order, orders } = counted;
  const counts: Uint32Array[] = [];
  // startsWithBos[k-1][i]: k-gram i begins with <s>.
  let startsWithBos = new Uint8Array(orders[0]!.size);
  startsWithBos[BOS_ID] = 1;
  for (let k = 1; k <= order; k++) {
    const own = orders[k - 1]!;
    if (k === order) {
      counts.push(own.counts);
      break;
    }
    const longer = orders[k]!;
    const adjusted = new Uint32Array(own.size);
    // Each distinct (k+1)-gram v·g adds one to the continuation count of its suffix g.
    for (let i = 0; i < longer.size; i++) adjusted[longer.suffixes[i]!]!++;
    for (let i = 0; i < own.size; i++) if (startsWithBos[i]) adjusted[i] = own.counts[i]!;
    counts.push(adjusted);
    const next = new Uint8Array(longer.size);
    for (let i = 0; i < longer.size; i++) next[i] = startsWithBos[longer.parents[i]!]!;
    startsWithBos = next;
  }
  const countOfCounts = counts.map((c) => {
    const n = [0, 0, 0, 0, 0];
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (v >= 1 && v <= 4) n[v]!++;
    }
    return n;
  });
  return { counts, countOfCounts };
}
