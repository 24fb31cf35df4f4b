import { EOS_ID } from '../../corpora/vocabulary.ts';
import type { Scorer } from '../../models/types.ts';

/** Sentences of the given lengths (the last id `</s>`), ids varying with the position and the sentence. */
export function sentencesOf(lengths: readonly number[], vocabSize: number): Int32Array[] {
  return lengths.map((n, j) => {
    const s = Int32Array.from({ length: n }, (_, i) => 3 + ((i * 7 + j * 13) % (vocabSize - 3)));
    s[n - 1] = EOS_ID;
    return s;
  });
}

/** ln p of each token of each sentence, token by token from a reset: the reference `scoreSentences` must equal. */
export function tokenByToken(scorer: Scorer, sentences: readonly Int32Array[]): Float64Array[] {
  return sentences.map((s) => {
    scorer.reset();
    const out = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) {
      out[i] = scorer.logProb(s[i]!);
      scorer.feed(s[i]!);
    }
    return out;
  });
}

/** The largest |a − b| over every token of every sentence. */
export function maxDifference(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let worst = 0;
  for (let j = 0; j < a.length; j++) for (let i = 0; i < a[j]!.length; i++) worst = Math.max(worst, Math.abs(a[j]![i]! - b[j]![i]!));
  return worst;
}
