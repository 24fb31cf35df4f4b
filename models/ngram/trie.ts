/**
 * What a scorer asks of a trie (`History`, `BackoffScorer`): the plain `NgramTrie` below and the bit-packed
 * `PackedTrie` (packed-trie.ts) answer the same.
 */
export interface TrieIndex {
  readonly vocabSize: number;
  readonly order: number;
  /** Number of k-grams. */
  size(k: number): number;
  /** Index of the (k+1)-gram made of k-gram `node` (k = 0: the empty context) followed by `word`, or −1. */
  child(k: number, node: number, word: number): number;
  /** Where the children of k-gram `node` start among the (k+1)-grams, 1 ≤ k < N (they end where node + 1's start). */
  childBegin(k: number, node: number): number;
  /** Last word of k-gram `i`, k ≥ 2. */
  wordAt(k: number, i: number): number;
  /** Number of n-grams of every order. */
  counts(): number[];
  byteSize(): number;
}

/**
 * The n-grams of a model as a forward trie in sorted typed arrays (as SRILM and KenLM's trie lay them
 * out): the k-grams are sorted by (context, last word), so the children of a (k−1)-gram are one
 * contiguous run, found by its offset and searched by binary search on the word. An n-gram is its index
 * within its order; unigram i is word i (every vocabulary word is a unigram), and order 0 is the empty
 * context with the single index 0.
 */
export class NgramTrie implements TrieIndex {
  /**
   * @param words `words[k - 1]`: last word of each k-gram (empty for k = 1: the index is the word).
   * @param childStart `childStart[k - 1]`: for each k-gram, where its children start among the (k+1)-grams
   *   (length size_k + 1), for k = 1..N−1.
   */
  constructor(
    readonly vocabSize: number,
    readonly words: readonly Int32Array[],
    readonly childStart: readonly Uint32Array[],
  ) {
    if (childStart.length !== words.length - 1) throw new Error('trie: childStart must have one table per order below the highest');
    for (let k = 1; k < words.length; k++) {
      const offsets = childStart[k - 1]!;
      if (offsets.length !== this.size(k) + 1 || offsets[offsets.length - 1] !== words[k]!.length) {
        throw new Error(`trie: child offsets of order ${k} do not match the ${k + 1}-grams`);
      }
    }
  }

  get order(): number {
    return this.words.length;
  }

  /** Number of k-grams. */
  size(k: number): number {
    return k === 1 ? this.vocabSize : this.words[k - 1]!.length;
  }

  /** Index of the (k+1)-gram made of k-gram `node` (k = 0: the empty context) followed by `word`, or −1. */
  child(k: number, node: number, word: number): number {
    if (k === 0) return word;
    const start = this.childStart[k - 1]!;
    const ws = this.words[k]!;
    let lo = start[node]!;
    let hi = start[node + 1]!;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = ws[mid]!;
      if (v < word) lo = mid + 1;
      else if (v > word) hi = mid;
      else return mid;
    }
    return -1;
  }

  childBegin(k: number, node: number): number {
    return this.childStart[k - 1]![node]!;
  }

  wordAt(k: number, i: number): number {
    return this.words[k - 1]![i]!;
  }

  /** Index of the n-gram `ids` (its order is its length), or −1. */
  find(ids: ArrayLike<number>): number {
    let node = 0;
    for (let k = 0; k < ids.length; k++) {
      if (k >= this.order) return -1;
      node = this.child(k, node, ids[k]!);
      if (node < 0) return -1;
    }
    return node;
  }

  /**
   * Visit every k-gram in trie order with its ids (`ids`, length k, reused between calls). The ancestors of
   * consecutive k-grams only move forward, so this is one pass over each order below k.
   */
  forEachNgram(k: number, visit: (index: number, ids: Int32Array) => void): void {
    const ids = new Int32Array(k);
    // ancestors[j]: index of the j-gram that prefixes the current k-gram (ancestors[k] is the k-gram).
    const ancestors = new Int32Array(k + 1);
    for (let i = 0, n = this.size(k); i < n; i++) {
      ancestors[k] = i;
      for (let j = k - 1; j >= 1; j--) {
        const start = this.childStart[j - 1]!;
        while (start[ancestors[j]! + 1]! <= ancestors[j + 1]!) ancestors[j]!++;
      }
      for (let j = 1; j <= k; j++) ids[j - 1] = j === 1 ? ancestors[1]! : this.words[j - 1]![ancestors[j]!]!;
      visit(i, ids);
    }
  }

  byteSize(): number {
    let bytes = 0;
    for (const w of this.words) bytes += w.byteLength;
    for (const c of this.childStart) bytes += c.byteLength;
    return bytes;
  }

  /** Number of n-grams of every order. */
  counts(): number[] {
    return this.words.map((_, i) => this.size(i + 1));
  }
}
