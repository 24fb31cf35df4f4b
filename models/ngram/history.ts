import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { TrieIndex } from './trie.ts';

/**
 * The state of an n-gram scorer: the last N−1 ids, held as the trie nodes of their suffixes. `context[j]` is
 * the j-gram made of the last j ids (j = 1..depth), `context[0]` the empty context; the longest suffix that
 * is not an n-gram ends the list (no longer one can be one either, since n-grams are closed under taking
 * suffixes). Feeding a token extends each suffix by one trie step, so a token costs at most N searches.
 */
export class History {
  readonly maxDepth: number;
  /** Trie node of the last j ids, j = 0..depth. */
  readonly context: Int32Array;
  /** Number of suffixes of the history that are n-grams (≤ N−1). */
  depth = 0;
  /** Ids the history holds (≤ N−1), whether or not they form an n-gram. */
  length = 0;
  /** After `match(w)`: `found[j]` is the (j+1)-gram of the last j ids followed by w, j < matched. */
  readonly found: Int32Array;
  matched = 0;

  constructor(readonly trie: TrieIndex) {
    this.maxDepth = trie.order - 1;
    this.context = new Int32Array(trie.order);
    this.found = new Int32Array(trie.order);
  }

  /** The history becomes `<s>` alone. */
  reset(): void {
    if (this.maxDepth === 0) {
      this.depth = 0;
      this.length = 0;
      return;
    }
    this.context[1] = BOS_ID;
    this.depth = 1;
    this.length = 1;
  }

  /** Find the n-grams "suffix of the history + w" of every order, longest last; returns how many exist (≥ 1). */
  match(w: number): number {
    const { trie, context, found, depth } = this;
    found[0] = w;
    let j = 1;
    for (; j <= depth; j++) {
      const f = trie.child(j, context[j]!, w);
      if (f < 0) break;
      found[j] = f;
    }
    this.matched = j;
    return j;
  }

  /** Append the token last passed to `match`. */
  advance(): void {
    const depth = Math.min(this.matched, this.maxDepth);
    const { context, found } = this;
    for (let j = 1; j <= depth; j++) context[j] = found[j - 1]!;
    this.depth = depth;
    if (this.length < this.maxDepth) this.length++;
  }
}
