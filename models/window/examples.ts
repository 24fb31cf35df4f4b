import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import type { Protocol } from '../types.ts';

/**
 * A split as training examples (context of n−1 ids → next id) without materialising the contexts: one
 * padded stream of ids and the positions in it of every predicted token; the context of position p is
 * `stream[p − n + 1 .. p)`, oldest first.
 * - sentence mode: each sentence is `<s>`×(n−1) w₁ … w_k `</s>`, so a sentence's missing history is `<s>`;
 * - stream mode: `<s>`×(n−1) then w… `</s>` w… `</s>` …, so the history crosses sentence boundaries and only
 *   the start of the split sees `<s>`.
 * Either way the predicted tokens are those of the shared protocol: every word and every `</s>`.
 */
export interface WindowExamples {
  readonly stream: Int32Array;
  readonly positions: Int32Array;
}

export function windowExamples(split: EncodedSplit, n: number, mode: Protocol): WindowExamples {
  const { tokens, starts } = split;
  const sentences = starts.length - 1;
  const pad = n - 1;
  const predicted = tokens.length + sentences;
  const stream = new Int32Array(predicted + pad * (mode === 'sentence' ? sentences : 1));
  const positions = new Int32Array(predicted);
  let k = 0;
  let q = 0;
  for (let s = 0; s < sentences; s++) {
    if (mode === 'sentence' || s === 0) {
      stream.fill(BOS_ID, k, k + pad);
      k += pad;
    }
    for (let i = starts[s]!; i < starts[s + 1]!; i++) {
      positions[q++] = k;
      stream[k++] = tokens[i]!;
    }
    positions[q++] = k;
    stream[k++] = EOS_ID;
  }
  return { stream, positions };
}

/** Gather the contexts and targets of `count` examples (indices into `positions`) into a batch. */
export function gatherBatch(
  examples: WindowExamples,
  order: Int32Array,
  from: number,
  count: number,
  n: number,
  contexts: Int32Array,
  targets: Int32Array,
): void {
  const { stream, positions } = examples;
  const w = n - 1;
  for (let i = 0; i < count; i++) {
    const p = positions[order[from + i]!]!;
    contexts.set(stream.subarray(p - w, p), i * w);
    targets[i] = stream[p]!;
  }
}
