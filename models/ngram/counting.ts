import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import type { Protocol } from '../types.ts';
import { countingSortBy } from './counting-sort.ts';
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
 * word); the windows, sorted by word once, are sorted by context index with one stable counting sort per
 * order, and equal neighbours are one n-gram. No hashing, no strings, linear time per order.
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

  // Positions that end a window of length ≥ 2 (every token but `<s>`), sorted by their word.
  let candidates = 0;
  for (let e = 1; e < n; e++) if (text[e] !== BOS_ID) candidates++;
  let items = new Int32Array(candidates);
  const keys = new Int32Array(candidates);
  for (let e = 1, i = 0; e < n; e++) {
    if (text[e] !== BOS_ID) {
      items[i] = e;
      keys[i++] = text[e]!;
    }
  }
  const sortedItems = new Int32Array(candidates);
  const sortedKeys = new Int32Array(candidates);
  countingSortBy(items, keys, vocabSize, sortedItems, sortedKeys);
  items.set(sortedItems);

  // nodeAt[e]: index of the (k−1)-gram that ends at position e, or −1 if that window is not an n-gram.
  // For k = 2 that is the unigram, the token itself.
  let previous = text;
  let current: Int32Array = new Int32Array(n);
  for (let k = 2; k <= order; k++) {
    // Windows of length k: positions e whose (k−1)-gram ending at e−1 exists; `items` stays in word order.
    let m = 0;
    for (let i = 0; i < items.length; i++) {
      const e = items[i]!;
      const context = previous[e - 1]!;
      if (context >= 0) {
        items[m] = e;
        keys[m++] = context;
      }
    }
    items = items.subarray(0, m);
    const parentCount = k === 2 ? vocabSize : words[k - 2]!.length;
    countingSortBy(items, keys.subarray(0, m), parentCount, sortedItems, sortedKeys);

    let size = 0;
    for (let i = 0; i < m; i++) {
      if (i === 0 || sortedKeys[i] !== sortedKeys[i - 1] || text[sortedItems[i]!] !== text[sortedItems[i - 1]!]) size++;
    }
    const orderWords = new Int32Array(size);
    const orderSuffixes = new Int32Array(size);
    const orderCounts = new Uint32Array(size);
    const offsets = new Uint32Array(parentCount + 1);
    current.fill(-1);
    let node = -1;
    for (let i = 0; i < m; i++) {
      const e = sortedItems[i]!;
      const parent = sortedKeys[i]!;
      const word = text[e]!;
      if (node < 0 || parent !== sortedKeys[i - 1] || word !== orderWords[node]) {
        node++;
        orderWords[node] = word;
        orderSuffixes[node] = previous[e]!;
        offsets[parent + 1]!++;
      }
      orderCounts[node]!++;
      current[e] = node;
    }
    for (let p = 0; p < parentCount; p++) offsets[p + 1]! += offsets[p]!;
    words.push(orderWords);
    childStart.push(offsets);
    counts.push(orderCounts);
    suffixes.push(orderSuffixes);
    // The (k−1)-gram positions are no longer needed: reuse that buffer (never the text itself).
    const freed = previous;
    previous = current;
    current = freed === text ? new Int32Array(n) : freed;
  }
  return result();
}
