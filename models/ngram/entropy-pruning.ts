import { BOS_ID } from '../../corpora/vocabulary.ts';
import { composeBackoff, type TrieLinks } from './backoff-form.ts';
import type { BackoffTables } from './tables.ts';
import { closeKept, subsetTables } from './trie-subset.ts';
import type { NgramTrie } from './trie.ts';

/**
 * Relative-entropy pruning of a back-off model (Stolcke 1998, "Entropy-based pruning of backoff language
 * models"; SRILM's `ngram -prune θ`). Removing the n-gram h w makes p(w | h) back off, p′(w | h) =
 * b′(h) p(w | h′), with the back-off weight of h renormalised,
 *
 *   b′(h) = (1 − Σ_{v ∈ seen(h)} p(v | h) + p(w | h)) / (1 − Σ_{v ∈ seen(h)} p(v | h′) + p(w | h′)),
 *
 * and changes no other conditional distribution. Its cost is the relative entropy of the model before to the
 * model after (eqs. 7–10 of the paper, in nats):
 *
 *   D(p ‖ p′) = −p(h) { p(w | h) [ln p(w | h′) + ln b′(h) − ln p(w | h)] + (1 − Σ_seen p(v | h)) [ln b′(h) − ln b(h)] },
 *
 * where the second term is the unseen words of h, whose probabilities all scale by b′(h) / b(h). p(h) is the
 * history's probability by the chain rule of the model itself, a leading `<s>` counting 1 (SRILM's
 * `contextProb`). Each n-gram is costed on its own against the unpruned model (the paper's approximation);
 * those whose removal raises perplexity by less than θ relative, e^D − 1 < θ, are removed, highest order
 * first. An n-gram that a kept longer one needs (its context or its back-off n-gram) stays, so the model remains
 * a valid back-off model, and the unigrams (the vocabulary) stay. The back-off weights of the smaller model are
 * computed again so that every distribution sums to 1.
 */

/** `suffixes[k - 1][i]`: index of k-gram i without its first word (order k − 1); 0 for unigrams. */
export function suffixLinks(trie: NgramTrie): Int32Array[] {
  const out = [new Int32Array(trie.vocabSize)];
  for (let k = 2; k <= trie.order; k++) {
    const own = new Int32Array(trie.size(k));
    trie.forEachNgram(k, (i, ids) => {
      own[i] = trie.find(ids.subarray(1));
    });
    out.push(own);
  }
  return out;
}

const LN10 = Math.LN10;

/**
 * `cost[k - 1][i]` = D(p ‖ p′) in nats of removing k-gram i alone (k ≥ 2; `cost[0]` is empty: unigrams are
 * not pruned).
 */
export function relativeEntropyCosts(tables: BackoffTables, suffixes: readonly Int32Array[]): Float64Array[] {
  const { trie, logProb, logBackoff } = tables;
  const costs: Float64Array[] = [new Float64Array(0)];
  // lnHistory[i]: ln p(h) of (k−1)-gram i as a history, by the chain rule along its prefixes.
  let lnHistory = Float64Array.from(logProb[0]!, (lp, w) => (w === BOS_ID ? 0 : lp * LN10));
  for (let k = 2; k <= trie.order; k++) {
    const start = trie.childStart[k - 2]!;
    const own = logProb[k - 1]!;
    const lower = logProb[k - 2]!;
    const suffix = suffixes[k - 1]!;
    const bo = logBackoff[k - 2]!;
    const cost = new Float64Array(own.length);
    const nextHistory = new Float64Array(own.length);
    for (let h = 0; h + 1 < start.length; h++) {
      const first = start[h]!;
      const end = start[h + 1]!;
      if (first === end) continue;
      let numerator = 1;
      let denominator = 1;
      for (let i = first; i < end; i++) {
        numerator -= 10 ** own[i]!;
        // The lower order of h w is h′ w, stored since the model is closed under suffixes (for k = 2, the unigram w).
        denominator -= 10 ** lower[suffix[i]!]!;
      }
      const lnBackoff = numerator > 0 && denominator > 0 ? Math.log(numerator / denominator) : bo[h]! * LN10;
      const pH = Math.exp(lnHistory[h]!);
      for (let i = first; i < end; i++) {
        const p = 10 ** own[i]!;
        const q = 10 ** lower[suffix[i]!]!;
        const lnBackoffAfter = Math.log((numerator + p) / (denominator + q));
        const unseen = numerator > 0 ? numerator * (lnBackoffAfter - lnBackoff) : 0;
        cost[i] = -pH * (p * (Math.log(q) + lnBackoffAfter - own[i]! * LN10) + unseen);
        nextHistory[i] = lnHistory[h]! + own[i]! * LN10;
      }
    }
    costs.push(cost);
    lnHistory = nextHistory;
  }
  return costs;
}

export interface EntropyPruned {
  readonly tables: BackoffTables;
  /** [kept, before] n-grams per order. */
  readonly kept: [number, number][];
}

/** Remove every n-gram whose removal costs less than θ in relative perplexity (e^D − 1 < θ); see above. */
export function entropyPrune(tables: BackoffTables, threshold: number): EntropyPruned {
  const { trie } = tables;
  const sizes = trie.counts();
  if (!(threshold > 0) || trie.order === 1) return { tables, kept: sizes.map((n) => [n, n]) };
  const suffixes = suffixLinks(trie);
  const costs = relativeEntropyCosts(tables, suffixes);
  const keep: Uint8Array[] = [new Uint8Array(trie.vocabSize).fill(1)];
  for (let k = 2; k <= trie.order; k++) keep.push(new Uint8Array(trie.size(k)));
  for (let k = trie.order; k >= 2; k--) {
    const own = keep[k - 1]!;
    const cost = costs[k - 1]!;
    // Needed by a kept (k+1)-gram: as its context (prefix) or as its back-off n-gram (suffix).
    const needed = new Uint8Array(own.length);
    if (k < trie.order) {
      const start = trie.childStart[k - 1]!;
      const longer = keep[k]!;
      const suffix = suffixes[k]!;
      for (let i = 0; i < own.length; i++) {
        for (let c = start[i]!; c < start[i + 1]!; c++) {
          if (!longer[c]) continue;
          needed[i] = 1;
          needed[suffix[c]!] = 1;
        }
      }
    }
    for (let i = 0; i < own.length; i++) own[i] = needed[i] || Math.expm1(cost[i]!) >= threshold ? 1 : 0;
  }
  closeKept(trie, suffixes, keep);
  const smaller = subsetTables(tables, keep);
  return { tables: renormalised(smaller), kept: sizes.map((n, i) => [i === 0 ? n : keep[i]!.reduce((s, v) => s + v, 0), n]) };
}

/**
 * The same stored probabilities with back-off weights computed again for the n-grams that are left: b(h) =
 * (1 − Σ_kept p(w | h)) / (S(h′) − Σ_kept p(w | h′)), the back-off composition of `composeBackoff` with each
 * stored probability as its own α.
 */
export function renormalised(tables: BackoffTables): BackoffTables {
  const links: TrieLinks = { trie: tables.trie, suffixes: suffixLinks(tables.trie) };
  const weights = composeBackoff(links, 'backoff', (k) => {
    const lp = tables.logProb[k - 1]!;
    return (_h, first, end, alpha) => {
      for (let i = first; i < end; i++) alpha[i - first] = lp[i] === -Infinity ? 0 : 10 ** lp[i]!;
      return 0;
    };
  });
  return { kind: 'backoff', trie: tables.trie, logProb: weights.logProb, logBackoff: weights.logBackoff };
}
