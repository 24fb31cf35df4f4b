import { UserError } from '../../errors/user-error.ts';
import type { StoredArray } from '../checkpoint.ts';
import { PackedInts } from './bit-packing.ts';
import { FloatValues, QuantisedValues } from './backoff-values.ts';
import { PackedTrie } from './packed-trie.ts';
import { QUANTISATION_BITS, type Quantisation } from './quantisation.ts';
import { take, type BackoffTables } from './tables.ts';

/** A back-off model as the scorer holds it: the bit-packed trie and its values, quantised or not. */
export interface PackedTables {
  readonly kind: 'packed';
  readonly trie: PackedTrie;
  readonly values: FloatValues | QuantisedValues;
}

/** Pack a back-off table set, quantising its values when asked to. */
export function packTables(tables: BackoffTables, quantisation?: Quantisation): PackedTables {
  const floats = new FloatValues(tables.logProb, tables.logBackoff);
  return { kind: 'packed', trie: PackedTrie.of(tables.trie), values: quantisation ? QuantisedValues.of(floats, quantisation) : floats };
}

/** The plain table set (decoded values if quantised). */
export function unpackTables(tables: PackedTables): BackoffTables {
  const values = tables.values instanceof QuantisedValues ? tables.values.decode() : tables.values;
  return { kind: 'backoff', trie: tables.trie.unpack(), logProb: [...values.prob], logBackoff: [...values.backoff] };
}

export function packedBytes(tables: PackedTables): number {
  return tables.trie.byteSize() + tables.values.byteSize();
}

/** Stored values: a probability per n-gram and a back-off weight per n-gram below the highest order. */
export function packedParameters(tables: PackedTables): number {
  const counts = tables.trie.counts();
  return counts.reduce((s, n) => s + n, 0) + counts.slice(0, -1).reduce((s, n) => s + n, 0);
}

/** Checkpoint arrays of a packed table set: the packed words themselves, and the offsets' widths. */
export function packedToArrays(tables: PackedTables): Record<string, StoredArray> {
  const arrays: Record<string, StoredArray> = {};
  const { trie, values } = tables;
  arrays.childStartBits = Uint8Array.from(trie.childStart, (c) => c.bits);
  trie.childStart.forEach((c, i) => {
    arrays[`childStart${i + 1}`] = c.data;
  });
  trie.words.forEach((w, i) => {
    arrays[`words${i + 2}`] = w.data;
  });
  if (values instanceof FloatValues) {
    values.prob.forEach((a, i) => {
      arrays[`logProb${i + 1}`] = a;
    });
    values.backoff.forEach((a, i) => {
      arrays[`logBackoff${i + 1}`] = a;
    });
    return arrays;
  }
  arrays.logProb1 = values.unigramProb;
  if (values.unigramBackoff.length > 0) arrays.logBackoff1 = values.unigramBackoff;
  values.probCodes.forEach((c, i) => {
    arrays[`probCodes${i + 2}`] = c.data;
    arrays[`probCentres${i + 2}`] = values.probCentres[i]!;
  });
  values.backoffCodes.forEach((c, i) => {
    arrays[`backoffCodes${i + 2}`] = c.data;
    arrays[`backoffCentres${i + 2}`] = values.backoffCentres[i]!;
  });
  return arrays;
}

function packed(arrays: Readonly<Record<string, StoredArray>>, name: string, bits: number, length: number): PackedInts {
  return new PackedInts(bits, length, take(arrays, name, Uint32Array, PackedInts.words(bits, length)));
}

/** Rebuild a packed table set from its checkpoint arrays; anything missing or inconsistent is a `UserError`. */
export function packedFromArrays(
  order: number,
  vocabSize: number,
  arrays: Readonly<Record<string, StoredArray>>,
  quantisation: Quantisation | undefined,
): PackedTables {
  const words: PackedInts[] = [];
  const childStart: PackedInts[] = [];
  const wordBits = PackedTrie.wordBits(vocabSize);
  // The offsets' widths follow from the next orders' sizes, which the offsets themselves give: stored beside them.
  const offsetBits = take(arrays, 'childStartBits', Uint8Array, order - 1);
  let size = vocabSize;
  for (let k = 1; k < order; k++) {
    const bits = offsetBits[k - 1]!;
    if (!(bits >= 1 && bits <= 32)) throw new UserError(`ngram checkpoint: ${bits} bits per child offset of order ${k} is not in 1..32`);
    const offsets = packed(arrays, `childStart${k}`, bits, size + 1);
    childStart.push(offsets);
    size = offsets.get(size);
    words.push(packed(arrays, `words${k + 1}`, wordBits, size));
  }
  let trie: PackedTrie;
  try {
    trie = new PackedTrie(vocabSize, words, childStart);
  } catch (e) {
    throw new UserError(`ngram checkpoint: ${(e as Error).message}`);
  }
  const sizes = trie.counts();
  if (!quantisation) {
    const prob = sizes.map((n, i) => take(arrays, `logProb${i + 1}`, Float32Array, n));
    const backoff = sizes.slice(0, -1).map((n, i) => take(arrays, `logBackoff${i + 1}`, Float32Array, n));
    return { kind: 'packed', trie, values: new FloatValues(prob, backoff) };
  }
  const { probBits, backoffBits } = quantisation;
  const higher = sizes.slice(1);
  const values = new QuantisedValues(
    quantisation,
    take(arrays, 'logProb1', Float32Array, vocabSize),
    order > 1 ? take(arrays, 'logBackoff1', Float32Array, vocabSize) : new Float32Array(0),
    higher.map((n, i) => packed(arrays, `probCodes${i + 2}`, probBits, n)),
    higher.map((_, i) => take(arrays, `probCentres${i + 2}`, Float32Array, 2 ** probBits)),
    higher.slice(0, -1).map((n, i) => packed(arrays, `backoffCodes${i + 2}`, backoffBits, n)),
    higher.slice(0, -1).map((_, i) => take(arrays, `backoffCentres${i + 2}`, Float32Array, 2 ** backoffBits)),
  );
  return { kind: 'packed', trie, values };
}

/** The quantisation a checkpoint's meta records (`{ probBits, backoffBits }`), or none; anything else is a `UserError`. */
export function quantisationFromMeta(meta: unknown): Quantisation | undefined {
  if (meta === undefined) return undefined;
  const q = meta as { probBits?: unknown; backoffBits?: unknown };
  const valid = (bits: unknown, range: { min: number; max: number }): bits is number =>
    typeof bits === 'number' && Number.isInteger(bits) && bits >= range.min && bits <= range.max;
  if (typeof q !== 'object' || q === null || !valid(q.probBits, QUANTISATION_BITS.prob) || !valid(q.backoffBits, QUANTISATION_BITS.backoff)) {
    throw new UserError('ngram checkpoint: meta "quantisation" is not { probBits, backoffBits } within the bits allowed');
  }
  return { probBits: q.probBits, backoffBits: q.backoffBits };
}
