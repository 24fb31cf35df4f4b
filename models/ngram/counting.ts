import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import type { Protocol } from '../types.ts';
import { radixDigits, radixPassTriples } from './counting-sort.ts';
import { NgramTrie } from './trie.ts';

/**
 * Stage 1 of the estimation pipeline (KenLM's lmplz: "counting"): all n-grams of orders 1..N in a forward trie (sorted by context, then word; see `NgramTrie`), with, per
 * n-gram, its occurrence count and the lower-order n-gram it backs off to.
 */
export interface NgramCounts {
  readonly trie: NgramTrie;
  /** `counts[k - 1][i]`: occurrences of k-gram i in the training text (0 for `<s>`, never predicted). */
  readonly counts: Uint32Array[];
  /**
   * `suffixes[k - 1][i]`: index at order k−1 of k-gram i without its first word, the lower-order n-gram
   * it interpolates with (all 0, the empty context, for unigrams).
   */
  readonly suffixes: Int32Array[];
  /** Predicted tokens in the training text (words and `</s>`). */
  readonly predicted: number;
}

/**
 * The training split as one array of ids with its sentence markers. Sentence mode:
 * `<s> w… </s> <s> w… </s> …`, each sentence on its own. Stream mode: `<s> w… </s> w… </s> …`, one history
 * across sentences (Bengio 2003), matching how the stream protocol evaluates.
 */
export function markedTokens(split: EncodedSplit, mode: Protocol): Int32Array {
  const { tokens, starts } = split;
  const sentences = starts.length - 1;
  const out = new Int32Array(tokens.length + sentences + (mode === 'sentence' ? sentences : 1));
  let k = 0;
  if (mode === 'stream') out[k++] = BOS_ID;
  for (let s = 0; s < sentences; s++) {
    if (mode === 'sentence') out[k++] = BOS_ID;
    for (let i = starts[s]!; i < starts[s + 1]!; i++) out[k++] = tokens[i]!;
    out[k++] = EOS_ID;
  }
  return out;
}

/**
 * Count every n-gram of orders 1..`order` in `text`. An n-gram is a window of the text that does not reach
 * back past a `<s>`: it may start with `<s>` but not contain it later, which is what lmplz's padding with
 * `<s>` and its collapse of `<s> <s> …` n-grams amount to. `<s>` itself is a unigram with count 0.
 *
 * The k-grams come from the (k−1)-grams: each window of length k is (its (k−1)-gram context, its last
 * word); the windows, gathered in text order, are sorted by (context index, word) and equal neighbours are
 * one n-gram. No hashing, no strings, linear time per order.
 *
 * Every pass touches memory in order except one scatter per order (each window's n-gram index written back
 * at its text position, which the next order reads in text order): the sort is an LSD radix sort with
 * digits of at most 8 bits (`radixSortByKeys`), because one counting sort over millions of contexts
 * scatters every window to a random cache line and made the time per word grow with the text (issue 15 §3).
 */
export function countNgrams(text: Int32Array, order: number, vocabSize: number): NgramCounts {
  const n = text.length;
  const unigramCounts = new Uint32Array(vocabSize);
  for (let e = 0; e < n; e++) {
    const w = text[e]!;
    if (w < 0 || w >= vocabSize) throw new RangeError(`token id ${w} is outside the vocabulary (size ${vocabSize})`);
    if (w !== BOS_ID) unigramCounts[w]!++;
  }
  const predicted = unigramCounts.reduce((a, b) => a + b, 0);
  const words: Int32Array[] = [new Int32Array(0)];
  const childStart: Uint32Array[] = [];
  const counts: Uint32Array[] = [unigramCounts];
  const suffixes: Int32Array[] = [new Int32Array(vocabSize)];
  const result = (): NgramCounts => ({ trie: new NgramTrie(vocabSize, words, childStart), counts, suffixes, predicted });
  if (order === 1) return result();

  // Windows of length ≥ 2 end at every token but `<s>` (and not at position 0).
  let candidates = 0;
  for (let e = 1; e < n; e++) if (text[e] !== BOS_ID) candidates++;
  const windows = new WindowBuffers(candidates);

  // nodeAt[e]: index of the (k−1)-gram that ends at position e, or −1 if that window is not an n-gram.
  // For k = 2 that is the unigram, the token itself.
  let previous = text;
  let current: Int32Array = new Int32Array(order > 2 ? n : 0);
  for (let k = 2; k <= order; k++) {
    // The last order has no next order to read its indices by position.
    const last = k === order;
    // Windows of length k, in text order: positions e whose (k−1)-gram ending at e−1 exists. The third
    // field is the position, or at the last order (where no index is written back by position) the
    // window's suffix itself, read here in text order rather than at random after the sort.
    let m = 0;
    let at = 0;
    const gathered = windows.data;
    for (let e = 1; e < n; e++) {
      const w = text[e]!;
      if (w === BOS_ID) continue;
      const c = previous[e - 1]!;
      if (c < 0) continue;
      gathered[at++] = c;
      gathered[at++] = w;
      gathered[at++] = last ? previous[e]! : e;
      m++;
    }
    const parentCount = k === 2 ? vocabSize : words[k - 2]!.length;
    windows.sort(m, vocabSize, parentCount);
    const sorted = windows.data;

    let size = 0;
    for (let i = 0, j = 0; i < m; i++, j += WINDOW) {
      if (i === 0 || sorted[j] !== sorted[j - WINDOW] || sorted[j + 1] !== sorted[j + 1 - WINDOW]) size++;
    }
    const orderWords = new Int32Array(size);
    const orderSuffixes = new Int32Array(size);
    const orderCounts = new Uint32Array(size);
    const offsets = new Uint32Array(parentCount + 1);
    if (!last) current.fill(-1);
    let node = -1;
    let parentBefore = -1;
    for (let i = 0, j = 0; i < m; i++, j += WINDOW) {
      const parent = sorted[j]!;
      const w = sorted[j + 1]!;
      const e = sorted[j + 2]!;
      if (node < 0 || parent !== parentBefore || w !== orderWords[node]) {
        node++;
        orderWords[node] = w;
        // The suffix is the (k−1)-gram ending at the same position (any occurrence gives the same one).
        orderSuffixes[node] = last ? e : previous[e]!;
        offsets[parent + 1]!++;
        parentBefore = parent;
      }
      orderCounts[node]!++;
      if (!last) current[e] = node;
    }
    for (let p = 0; p < parentCount; p++) offsets[p + 1]! += offsets[p]!;
    words.push(orderWords);
    childStart.push(offsets);
    counts.push(orderCounts);
    suffixes.push(orderSuffixes);
    // The (k−1)-gram positions are no longer needed: reuse that buffer (never the text itself).
    const freed = previous;
    previous = current;
    current = freed === text ? new Int32Array(last || k + 1 === order ? 0 : n) : freed;
  }
  return result();
}

/** Int32 fields of one window: context index, last word, text position (at the last order: suffix index). */
const WINDOW = 3;

/**
 * The windows of one order, each its three fields side by side (one array, so a radix pass writes one
 * advancing position per bucket, not three), with the second buffer a radix sort writes into; sized once
 * for the most windows any order has.
 */
class WindowBuffers {
  data: Int32Array;
  private spare: Int32Array;

  constructor(capacity: number) {
    this.data = new Int32Array(WINDOW * capacity);
    this.spare = new Int32Array(WINDOW * capacity);
  }

  /** Sort the first m windows by (context, word), stably: by word first, then by context (LSD order). */
  sort(m: number, vocabSize: number, parentCount: number): void {
    for (const [field, range] of [
      [1, vocabSize],
      [0, parentCount],
    ] as const) {
      for (const digit of radixDigits(range)) {
        radixPassTriples(m, this.data, field, digit, this.spare);
        [this.data, this.spare] = [this.spare, this.data];
      }
    }
  }
}
