import { bitsFor, PackedInts } from './bit-packing.ts';
import { NgramTrie, type TrieIndex } from './trie.ts';

/**
 * The trie of `NgramTrie` with its columns bit-packed, as KenLM's trie data structure stores them (lm/trie.hh,
 * BitPacked and BitPackedMiddle): each k-gram's last word in ⌈log2 V⌉ bits, and each k-gram's first child
 * among the (k+1)-grams in ⌈log2 (size_{k+1} + 1)⌉ bits (an offset runs up to size_{k+1}, the end of the last
 * run). KenLM keeps the columns of one entry together (word, quantised values, next pointer); they are apart
 * here, so a binary search over the words reads nothing else. Unigrams have no word column (the index is the
 * word); the unigram offsets are packed too (KenLM keeps them as 64-bit integers beside float values).
 */
export class PackedTrie implements TrieIndex {
  readonly order: number;
  private readonly sizes: number[];

  constructor(
    readonly vocabSize: number,
    /** `words[k - 2]`: last word of each k-gram, k = 2..N. */
    readonly words: readonly PackedInts[],
    /** `childStart[k - 1]`: first child of each k-gram and the end (size_k + 1 values), k = 1..N−1. */
    readonly childStart: readonly PackedInts[],
  ) {
    if (childStart.length !== words.length) throw new Error('packed trie: one child-offset column per order below the highest');
    this.order = words.length + 1;
    this.sizes = [vocabSize, ...words.map((w) => w.length)];
    for (let k = 1; k < this.order; k++) {
      const offsets = childStart[k - 1]!;
      if (offsets.length !== this.sizes[k - 1]! + 1 || offsets.get(offsets.length - 1) !== this.sizes[k]!) {
        throw new Error(`packed trie: child offsets of order ${k} do not match the ${k + 1}-grams`);
      }
    }
  }

  /** The widths KenLM's trie would give: words ⌈log2 V⌉ bits (V − 1 the largest id), offsets up to the next order's size. */
  static wordBits(vocabSize: number): number {
    return bitsFor(vocabSize - 1);
  }

  static of(trie: NgramTrie): PackedTrie {
    const wordBits = PackedTrie.wordBits(trie.vocabSize);
    const words = trie.words.slice(1).map((w) => PackedInts.of(w, wordBits));
    const childStart = trie.childStart.map((c, i) => PackedInts.of(c, bitsFor(trie.size(i + 2))));
    return new PackedTrie(trie.vocabSize, words, childStart);
  }

  /** The plain trie (for estimation-side code, ARPA export and checkpoints of the unpacked form). */
  unpack(): NgramTrie {
    const words = [new Int32Array(0), ...this.words.map((w) => Int32Array.from(w.toUint32Array()))];
    return new NgramTrie(
      this.vocabSize,
      words,
      this.childStart.map((c) => c.toUint32Array()),
    );
  }

  size(k: number): number {
    return this.sizes[k - 1]!;
  }

  childBegin(k: number, node: number): number {
    return this.childStart[k - 1]!.get(node);
  }

  wordAt(k: number, i: number): number {
    return this.words[k - 2]!.get(i);
  }

  child(k: number, node: number, word: number): number {
    if (k === 0) return word;
    const offsets = this.childStart[k - 1]!;
    const ws = this.words[k - 1]!;
    let lo = offsets.get(node);
    let hi = offsets.get(node + 1);
    // PackedInts.get inlined: this loop is most of a token's cost.
    const { data, bits, mask } = ws;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const bit = mid * bits;
      const w = (bit / 32) | 0;
      const offset = bit - w * 32;
      let v = data[w]! >>> offset;
      if (offset + bits > 32) v |= data[w + 1]! << (32 - offset);
      v = (v & mask) >>> 0;
      if (v < word) lo = mid + 1;
      else if (v > word) hi = mid;
      else return mid;
    }
    return -1;
  }

  counts(): number[] {
    return [...this.sizes];
  }

  byteSize(): number {
    let bytes = 0;
    for (const w of this.words) bytes += w.byteSize();
    for (const c of this.childStart) bytes += c.byteSize();
    return bytes;
  }
}
