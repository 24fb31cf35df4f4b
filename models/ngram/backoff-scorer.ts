import type { Scorer } from '../types.ts';
import { History } from './history.ts';
import type { BackoffValues } from './backoff-values.ts';
import type { TrieIndex } from './trie.ts';

/**
 * A back-off model (Kneser-Ney estimates, or an ARPA file): p(w | h) is the probability of the longest
 * stored n-gram "suffix of h + w", times the back-off weights of the longer suffixes of h that are stored
 * contexts (Katz 1987's form, which interpolated models are written in):
 *
 *   log p(w | h_1…h_m) = log p(w | h_j…h_m) + Σ_{i<j} log b(h_i…h_m),  h_j…h_m w the longest stored.
 *
 * Tables hold log10 values, as ARPA files and KenLM do. `tail[j]` caches the sum of the back-off weights of
 * the suffixes longer than j, so a token costs the trie searches and one multiplication. The trie may be the
 * plain or the bit-packed one, the values floats or quantised codes (backoff-values.ts): the same arithmetic.
 */
export class BackoffScorer implements Scorer {
  readonly vocabSize: number;
  private readonly history: History;
  private readonly tail: Float64Array;

  constructor(
    private readonly trie: TrieIndex,
    /** log10 p of each k-gram, log10 back-off weight of each k-gram below the highest order. */
    private readonly values: BackoffValues,
  ) {
    this.vocabSize = trie.vocabSize;
    this.history = new History(trie);
    this.tail = new Float64Array(trie.order);
    this.reset();
  }

  reset(): void {
    this.history.reset();
    this.updateTail();
  }

  private updateTail(): void {
    const { tail, values } = this;
    const { context, depth } = this.history;
    tail[depth] = 0;
    for (let j = depth; j >= 1; j--) tail[j - 1] = tail[j]! + values.logBackoff(j, context[j]!);
  }

  /** log10 p of the token last matched. */
  private matchedLog10(): number {
    const h = this.history;
    const j = h.matched - 1;
    return this.values.logProb(j + 1, h.found[j]!) + this.tail[j]!;
  }

  logProb(next: number): number {
    this.history.match(next);
    return this.matchedLog10() * Math.LN10;
  }

  /** Order of the longest n-gram the last `logProb` used (the "ngram_length" KenLM's `query` prints). */
  lastOrder(): number {
    return this.history.matched;
  }

  feed(token: number): void {
    this.history.match(token);
    this.history.advance();
    this.updateTail();
  }

  scoreSequence(tokens: Int32Array, out: Float64Array): void {
    for (let i = 0; i < tokens.length; i++) {
      this.history.match(tokens[i]!);
      out[i] = this.matchedLog10() * Math.LN10;
      this.history.advance();
      this.updateTail();
    }
  }

  distribution(out: Float64Array): void {
    const { trie, values, tail } = this;
    const { context, depth } = this.history;
    for (let w = 0; w < this.vocabSize; w++) out[w] = Math.exp((values.logProb(1, w) + tail[0]!) * Math.LN10);
    // Longer matches overwrite shorter ones: the children of each stored suffix of the history.
    for (let j = 1; j <= depth; j++) {
      const node = context[j]!;
      const t = tail[j]!;
      for (let c = trie.childBegin(j, node), end = trie.childBegin(j, node + 1); c < end; c++) {
        out[trie.wordAt(j + 1, c)] = Math.exp((values.logProb(j + 1, c) + t) * Math.LN10);
      }
    }
  }
}
