import type { StoredArray } from '../checkpoint.ts';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { Scorer } from '../types.ts';
import { BackoffScorer } from './backoff-scorer.ts';
import { FloatValues } from './backoff-values.ts';
import { CountScorer, type CountEstimate } from './count-scorer.ts';
import { NgramTrie } from './trie.ts';

/** What a trained n-gram model holds: its trie and, per n-gram, either back-off weights or counts. */
export interface BackoffTables {
  readonly kind: 'backoff';
  readonly trie: NgramTrie;
  /** `logProb[k - 1]`: log10 p of each k-gram. */
  readonly logProb: readonly Float32Array[];
  /** `logBackoff[k - 1]`: log10 back-off weight of each k-gram as a context (0 if none), k < N. */
  readonly logBackoff: readonly Float32Array[];
}

export interface CountTables {
  readonly kind: 'counts';
  readonly trie: NgramTrie;
  /** `counts[k - 1]`: occurrences of each k-gram. */
  readonly counts: readonly Uint32Array[];
  /** `totals[j]`: how often each j-gram is followed by a token, j = 0..N−1 (`totals[0]` = [tokens]). */
  readonly totals: readonly Uint32Array[];
}

export type NgramTables = BackoffTables | CountTables;

export function scorerOf(tables: NgramTables, estimate: CountEstimate): Scorer {
  return tables.kind === 'backoff'
    ? new BackoffScorer(tables.trie, new FloatValues(tables.logProb, tables.logBackoff))
    : new CountScorer(tables.trie, tables.counts, tables.totals, estimate);
}

function valueArrays(tables: NgramTables): StoredArray[] {
  return tables.kind === 'backoff' ? [...tables.logProb, ...tables.logBackoff] : [...tables.counts, ...tables.totals];
}

export function tableBytes(tables: NgramTables): number {
  return tables.trie.byteSize() + valueArrays(tables).reduce((s, a) => s + a.byteLength, 0);
}

/** Stored probabilities and back-off weights (back-off tables), or stored counts (count tables). */
export function tableParameters(tables: NgramTables): number {
  const own = tables.kind === 'backoff' ? [...tables.logProb, ...tables.logBackoff] : tables.counts;
  return own.reduce((s, a) => s + a.length, 0);
}

/** The model before training: uniform over every word but `<s>`. */
export function uniformTables(vocabSize: number): BackoffTables {
  const lp = new Float32Array(vocabSize).fill(Math.log10(1 / (vocabSize - 1)));
  lp[BOS_ID] = -Infinity;
  return { kind: 'backoff', trie: new NgramTrie(vocabSize, [new Int32Array(0)], []), logProb: [lp], logBackoff: [] };
}

/** Context totals c(h •) from the counts of the next order. */
export function contextTotals(trie: NgramTrie, counts: readonly Uint32Array[]): Uint32Array[] {
  const totals = [Uint32Array.of(counts[0]!.reduce((a, b) => a + b, 0))];
  for (let j = 1; j < trie.order; j++) {
    const start = trie.childStart[j - 1]!;
    const next = counts[j]!;
    const t = new Uint32Array(trie.size(j));
    for (let h = 0; h < t.length; h++) {
      let sum = 0;
      for (let c = start[h]!, end = start[h + 1]!; c < end; c++) sum += next[c]!;
      t[h] = sum;
    }
    totals.push(t);
  }
  return totals;
}

/** The typed arrays of a table set, named for a checkpoint. */
export function tablesToArrays(tables: NgramTables): Record<string, StoredArray> {
  const arrays: Record<string, StoredArray> = {};
  const { trie } = tables;
  for (let k = 2; k <= trie.order; k++) arrays[`words${k}`] = trie.words[k - 1]!;
  for (let k = 1; k < trie.order; k++) arrays[`childStart${k}`] = trie.childStart[k - 1]!;
  if (tables.kind === 'backoff') {
    tables.logProb.forEach((a, i) => {
      arrays[`logProb${i + 1}`] = a;
    });
    tables.logBackoff.forEach((a, i) => {
      arrays[`logBackoff${i + 1}`] = a;
    });
  } else {
    tables.counts.forEach((a, i) => {
      arrays[`counts${i + 1}`] = a;
    });
    tables.totals.forEach((a, i) => {
      arrays[`totals${i}`] = a;
    });
  }
  return arrays;
}

export function take<T extends StoredArray>(
  arrays: Readonly<Record<string, StoredArray>>,
  name: string,
  ctor: abstract new (...args: never[]) => T,
  length: number,
): T {
  const a = arrays[name];
  if (!(a instanceof ctor) || a.length !== length) {
    throw new UserError(`ngram checkpoint: array "${name}" is missing or has the wrong type or length`);
  }
  return a;
}

/** Rebuild a table set from checkpoint arrays; a missing or inconsistent array is a `UserError`. */
export function tablesFromArrays(kind: NgramTables['kind'], order: number, vocabSize: number, arrays: Readonly<Record<string, StoredArray>>): NgramTables {
  const words = [new Int32Array(0)];
  const childStart: Uint32Array[] = [];
  let size = vocabSize;
  for (let k = 1; k < order; k++) {
    const offsets = take(arrays, `childStart${k}`, Uint32Array, size + 1);
    childStart.push(offsets);
    size = offsets[size]!;
    words.push(take(arrays, `words${k + 1}`, Int32Array, size));
  }
  let trie: NgramTrie;
  try {
    trie = new NgramTrie(vocabSize, words, childStart);
  } catch (e) {
    throw new UserError(`ngram checkpoint: ${(e as Error).message}`);
  }
  const sizes = trie.counts();
  if (kind === 'backoff') {
    return {
      kind,
      trie,
      logProb: sizes.map((n, i) => take(arrays, `logProb${i + 1}`, Float32Array, n)),
      logBackoff: sizes.slice(0, -1).map((n, i) => take(arrays, `logBackoff${i + 1}`, Float32Array, n)),
    };
  }
  return {
    kind,
    trie,
    counts: sizes.map((n, i) => take(arrays, `counts${i + 1}`, Uint32Array, n)),
    totals: [1, ...sizes.slice(0, -1)].map((n, j) => take(arrays, `totals${j}`, Uint32Array, n)),
  };
}
