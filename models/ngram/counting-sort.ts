/**
 * Stable counting sort of `items` by small integer keys in [0, range): the one sort the n-gram pipeline
 * needs. Sorting n-grams by (context, word) is two passes of it (least significant key first), linear in
 * the number of items plus the key range, with no comparator calls.
 */
export function countingSortBy(items: Int32Array, keys: Int32Array, range: number, outItems: Int32Array, outKeys: Int32Array): void {
  const n = items.length;
  const next = new Int32Array(range + 1);
  for (let i = 0; i < n; i++) next[keys[i]! + 1]!++;
  for (let k = 0; k < range; k++) next[k + 1]! += next[k]!;
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    const at = next[key]!++;
    outItems[at] = items[i]!;
    outKeys[at] = key;
  }
}

/**
 * Offsets of each parent's children in an array sorted by parent: children of `p` are
 * `[start[p], start[p + 1])`. `parents` must be sorted ascending.
 */
export function childOffsets(parents: Int32Array, parentCount: number): Uint32Array {
  const start = new Uint32Array(parentCount + 1);
  for (let i = 0; i < parents.length; i++) start[parents[i]! + 1]!++;
  for (let p = 0; p < parentCount; p++) start[p + 1]! += start[p]!;
  return start;
}

/** The order that sorts entries by (parent, word), both small integers; stable. */
export function orderByParentThenWord(parents: Int32Array, words: Int32Array, parentCount: number, vocabSize: number): Int32Array {
  const n = parents.length;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const byWord = new Int32Array(n);
  const wordKeys = new Int32Array(n);
  countingSortBy(identity, words, vocabSize, byWord, wordKeys);
  const parentKeys = new Int32Array(n);
  for (let i = 0; i < n; i++) parentKeys[i] = parents[byWord[i]!]!;
  const order = identity;
  countingSortBy(byWord, parentKeys, parentCount, order, wordKeys);
  return order;
}
