import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import type { Protocol } from '../types.ts';
import { countingSortBy } from './counting-sort.ts';

/**
 * Stage 1 of the estimation pipeline (KenLM's lmplz: "counting"): every n-gram of orders 1..N in the
 * training text, with how often it occurs, as sorted typed-array tables.
 */

/** All n-grams of one order, sorted by (context, word): the layout every later stage and the trie share. */
export interface CountedOrder {
  readonly size: number;
  /** Last word of each n-gram (order 1: the word id itself, every id of the vocabulary). */
  readonly words: Int32Array;
  /** Index of the n-gram's context (its first k−1 words) at order k−1; 0 (the empty context) for unigrams. */
  readonly parents: Int32Array;
  /** Index at order k−1 of the n-gram without its first word: the lower-order n-gram it interpolates with. */
  readonly suffixes: Int32Array;
  /** Occurrences in the training text (0 for `<s>`, which is never predicted). */
  readonly counts: Uint32Array;
}

export interface NgramCounts {
  readonly order: number;
  readonly vocabSize: number;
  /** `orders[k - 1]` holds the k-grams. */
  readonly orders: readonly CountedOrder[];
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
 * word), and two stable counting sorts (by word, then by context index) order them; equal neighbours are
 * one n-gram. No hashing of strings, linear time per order.
 */
export function countNgrams(text: Int32Array, order: number, vocabSize: number): NgramCounts {
  const n = text.length;
  const orders: CountedOrder[] = [];

  const unigramCounts = new Uint32Array(vocabSize);
  for (let e = 0; e < n; e++) {
    const w = text[e]!;
    if (w < 0 || w >= vocabSize) throw new RangeError(`token id ${w} is outside the vocabulary (size ${vocabSize})`);
    if (w !== BOS_ID) unigramCounts[w]!++;
  }
  const identity = new Int32Array(vocabSize);
  for (let w = 0; w < vocabSize; w++) identity[w] = w;
  orders.push({ size: vocabSize, words: identity, parents: new Int32Array(vocabSize), suffixes: new Int32Array(vocabSize), counts: unigramCounts });
  const predicted = unigramCounts.reduce((a, b) => a + b, 0);

  if (order === 1) return { order, vocabSize, orders, predicted };

  // Positions that end a window of length ≥ 2 (every token but `<s>`), sorted by their word.
  let candidates = 0;
  for (let e = 1; e < n; e++) if (text[e] !== BOS_ID) candidates++;
  let items = new Int32Array(candidates);
  const wordKeys = new Int32Array(candidates);
  for (let e = 1, i = 0; e < n; e++) {
    if (text[e] !== BOS_ID) {
      items[i] = e;
      wordKeys[i++] = text[e]!;
    }
  }
  const sortedItems = new Int32Array(candidates);
  const sortedKeys = new Int32Array(candidates);
  countingSortBy(items, wordKeys, vocabSize, sortedItems, sortedKeys);
  items = sortedItems.slice();

  // nodeAt[e]: index of the (k−1)-gram that ends at position e, or −1 if that window is not an n-gram.
  let previous = Int32Array.from(text);
  let current = new Int32Array(n);
  const keys = wordKeys; // reused as the context key of each candidate
  for (let k = 2; k <= order; k++) {
    // Windows of length k: position e whose (k−1)-gram ending at e−1 exists; keep the word order.
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
    const parentCount = orders[k - 2]!.size;
    countingSortBy(items, keys.subarray(0, m), parentCount, sortedItems, sortedKeys);

    let size = 0;
    for (let i = 0; i < m; i++) {
      if (i === 0 || sortedKeys[i] !== sortedKeys[i - 1] || text[sortedItems[i]!] !== text[sortedItems[i - 1]!]) size++;
    }
    const words = new Int32Array(size);
    const parents = new Int32Array(size);
    const suffixes = new Int32Array(size);
    const counts = new Uint32Array(size);
    current.fill(-1);
    let node = -1;
    for (let i = 0; i < m; i++) {
      const e = sortedItems[i]!;
      const parent = sortedKeys[i]!;
      const word = text[e]!;
      if (node < 0 || parent !== parents[node] || word !== words[node]) {
        node++;
        words[node] = word;
        parents[node] = parent;
        suffixes[node] = previous[e]!;
      }
      counts[node]!++;
      current[e] = node;
    }
    orders.push({ size, words, parents, suffixes, counts });
    // `items` stays in (word, position) order for the next order's filter.
    [previous, current] = [current, previous];
  }
  return { order, vocabSize, orders, predicted };
}
