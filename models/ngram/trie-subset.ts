import type { BackoffTables } from './tables.ts';
import { NgramTrie } from './trie.ts';

/**
 * `keep[k - 1][i]` = 1: k-gram i stays. Unigrams are the vocabulary and always stay (`keep[0]` is not
 * read). A kept n-gram's context (its prefix) and its back-off n-gram (its suffix) must be kept too
 * (`closeKept`), so that the smaller model is a valid back-off model: every n-gram can be reached from
 * its context, and the history of the scorer stays closed under taking suffixes.
 */
export type KeptNgrams = readonly Uint8Array[];

/**
 * Mark the context and the back-off n-gram of every kept n-gram as kept, from the highest order down, so
 * that the marks are closed (SRILM and KenLM both refuse to drop an n-gram a longer one needs).
 * `suffixes[k - 1][i]` is k-gram i without its first word.
 */
export function closeKept(trie: NgramTrie, suffixes: readonly Int32Array[], keep: readonly Uint8Array[]): void {
  for (let k = trie.order; k >= 3; k--) {
    const own = keep[k - 1]!;
    const lower = keep[k - 2]!;
    const suffix = suffixes[k - 1]!;
    const start = trie.childStart[k - 2]!;
    for (let h = 0; h + 1 < start.length; h++) {
      for (let i = start[h]!; i < start[h + 1]!; i++) {
        if (!own[i]) continue;
        lower[h] = 1;
        lower[suffix[i]!] = 1;
      }
    }
  }
}

/** The back-off model restricted to the kept n-grams: the same values, a smaller trie. */
export function subsetTables(tables: BackoffTables, keep: KeptNgrams): BackoffTables {
  const { trie } = tables;
  const words: Int32Array[] = [new Int32Array(0)];
  const childStart: Uint32Array[] = [];
  const logProb: Float32Array[] = [tables.logProb[0]!];
  const logBackoff: Float32Array[] = [];
  // newIndex[i]: index of (k−1)-gram i in the smaller trie, −1 if it goes (unigrams: themselves).
  let newIndex: Int32Array | undefined;
  for (let k = 2; k <= trie.order; k++) {
    const start = trie.childStart[k - 2]!;
    const oldWords = trie.words[k - 1]!;
    const oldLogProb = tables.logProb[k - 1]!;
    const own = keep[k - 1]!;
    let kept = 0;
    for (let i = 0; i < oldWords.length; i++) if (own[i]) kept++;
    const parents = k === 2 ? trie.vocabSize : words[k - 2]!.length;
    const w = new Int32Array(kept);
    const lp = new Float32Array(kept);
    const offsets = new Uint32Array(parents + 1);
    const index = new Int32Array(oldWords.length).fill(-1);
    let n = 0;
    for (let h = 0; h + 1 < start.length; h++) {
      const parent = newIndex ? newIndex[h]! : h;
      for (let i = start[h]!; i < start[h + 1]!; i++) {
        if (!own[i]) continue;
        if (parent < 0) throw new Error(`trie subset: a kept ${k}-gram's context was dropped (close the marks with closeKept first)`);
        w[n] = oldWords[i]!;
        lp[n] = oldLogProb[i]!;
        offsets[parent + 1]!++;
        index[i] = n++;
      }
    }
    for (let p = 0; p < parents; p++) offsets[p + 1]! += offsets[p]!;
    // The back-off weights of the (k−1)-grams as contexts, for those that stay.
    const oldBackoff = tables.logBackoff[k - 2]!;
    logBackoff.push(newIndex ? select(oldBackoff, keep[k - 2]!, parents) : oldBackoff);
    words.push(w);
    childStart.push(offsets);
    logProb.push(lp);
    newIndex = index;
  }
  return { kind: 'backoff', trie: new NgramTrie(trie.vocabSize, words, childStart), logProb, logBackoff };
}

function select(values: Float32Array, keep: Uint8Array, kept: number): Float32Array {
  const out = new Float32Array(kept);
  for (let i = 0, n = 0; i < values.length; i++) if (keep[i]) out[n++] = values[i]!;
  return out;
}
