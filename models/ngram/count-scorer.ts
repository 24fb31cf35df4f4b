import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { Scorer } from '../types.ts';
import { History } from './history.ts';
import type { NgramTrie } from './trie.ts';

/** Which count-based estimate a `CountScorer` gives. */
export interface CountEstimate {
  /**
   * 'add-k': p(w | h) = (c(h w) + k) / (c(h •) + k |V′|) with the whole history h (Lidstone; k = 1 is
   * Laplace), V′ the vocabulary without `<s>`; an unseen history gives the uniform distribution.
   * 'mle': p(w | h) = c(h w) / c(h •), zero for unseen continuations (never floored); a history never seen
   * followed by anything is shortened to its longest suffix that was, since c(h •) = 0 defines nothing.
   */
  readonly kind: 'add-k' | 'mle';
  readonly k: number;
}

/**
 * Maximum-likelihood and add-k n-gram models, computed from the stored counts at scoring time (a dense
 * table of add-k probabilities would have |V|^(N−1) rows).
 */
export class CountScorer implements Scorer {
  readonly vocabSize: number;
  private readonly history: History;
  private readonly addK: number;
  private readonly spread: number;

  constructor(
    private readonly trie: NgramTrie,
    /** `counts[k - 1]`: occurrences of each k-gram. */
    private readonly counts: readonly Uint32Array[],
    /** `totals[j]`: c(h •) for each j-gram h as a context, j = 0..N−1 (`totals[0]` = [tokens]). */
    private readonly totals: readonly Uint32Array[],
    estimate: CountEstimate,
  ) {
    this.vocabSize = trie.vocabSize;
    this.history = new History(trie);
    this.addK = estimate.kind === 'add-k' ? estimate.k : 0;
    this.spread = this.addK * (this.vocabSize - 1);
    this.reset();
  }

  reset(): void {
    this.history.reset();
  }

  /** Order of the context used for the current history, or −1 for an unseen history under add-k. */
  private contextOrder(): number {
    const { context, depth, length } = this.history;
    if (this.addK > 0) return depth < length ? -1 : depth;
    let j = depth;
    while (j > 0 && this.totals[j]![context[j]!] === 0) j--;
    return j;
  }

  private probability(w: number, j: number): number {
    if (w === BOS_ID) return 0;
    if (j < 0) return 1 / (this.vocabSize - 1);
    const h = this.history;
    const c = h.matched > j ? this.counts[j]![h.found[j]!]! : 0;
    return (c + this.addK) / (this.totals[j]![h.context[j]!]! + this.spread);
  }

  logProb(next: number): number {
    this.history.match(next);
    return Math.log(this.probability(next, this.contextOrder()));
  }

  feed(token: number): void {
    this.history.match(token);
    this.history.advance();
  }

  scoreSequence(tokens: Int32Array, out: Float64Array): void {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      this.history.match(t);
      out[i] = Math.log(this.probability(t, this.contextOrder()));
      this.history.advance();
    }
  }

  distribution(out: Float64Array): void {
    const j = this.contextOrder();
    const { context } = this.history;
    if (j < 0) {
      out.fill(1 / (this.vocabSize - 1));
    } else {
      const denominator = this.totals[j]![context[j]!]! + this.spread;
      out.fill(this.addK / denominator);
      const node = context[j]!;
      const counts = this.counts[j]!;
      if (j === 0) {
        for (let w = 0; w < this.vocabSize; w++) out[w] = (counts[w]! + this.addK) / denominator;
      } else {
        const start = this.trie.childStart[j - 1]!;
        const words = this.trie.words[j]!;
        for (let c = start[node]!, end = start[node + 1]!; c < end; c++) out[words[c]!] = (counts[c]! + this.addK) / denominator;
      }
    }
    out[BOS_ID] = 0;
  }
}
