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

/** One digit of an LSD radix sort: the key bits [shift, shift + bits). */
export interface RadixDigit {
  readonly shift: number;
  readonly bits: number;
}

/**
 * Widest digit: 2^11 buckets are 2048 advancing write positions, about what the second-level TLB and the
 * cache hold; wider digits save a pass but miss on every write.
 */
const MAX_DIGIT_BITS = 11;

/** The digits, least significant first, that sort keys in [0, range) in the fewest passes of equal width. */
export function radixDigits(range: number): RadixDigit[] {
  const bits = Math.max(1, Math.ceil(Math.log2(Math.max(range, 2))));
  const passes = Math.ceil(bits / MAX_DIGIT_BITS);
  const width = Math.ceil(bits / passes);
  return Array.from({ length: passes }, (_, i) => ({ shift: i * width, bits: Math.min(width, bits - i * width) }));
}

/**
 * One stable counting-sort pass of an LSD radix sort (Knuth, TAOCP vol. 3, §5.2.5) over the first m
 * triples of `from` (entries of three int32 side by side), ordered by one digit of their field `field`,
 * into `to`. Reads are in order and writes go to at most 2^11 advancing positions, so, unlike a counting
 * sort over a large key range, a pass does not miss the cache once per entry.
 */
export function radixPassTriples(m: number, from: Int32Array, field: 0 | 1 | 2, digit: RadixDigit, to: Int32Array): void {
  const { shift } = digit;
  const mask = (1 << digit.bits) - 1;
  const next = new Int32Array(mask + 2);
  const end = 3 * m;
  for (let j = field; j < end; j += 3) next[((from[j]! >>> shift) & mask) + 1]!++;
  for (let d = 0; d <= mask; d++) next[d + 1]! += next[d]!;
  // Offsets in int32 units: three a triple.
  for (let d = 0; d <= mask + 1; d++) next[d]! *= 3;
  for (let j = 0; j < end; j += 3) {
    const d = (from[j + field]! >>> shift) & mask;
    const at = next[d]!;
    next[d] = at + 3;
    to[at] = from[j]!;
    to[at + 1] = from[j + 1]!;
    to[at + 2] = from[j + 2]!;
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
