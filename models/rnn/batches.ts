import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { IGNORE_INDEX } from '../../numerics/cross-entropy.ts';

/**
 * One truncated-BPTT segment: T steps of B parallel sequences, time-major (index t·B + b). The hidden
 * state either starts from zero (`reset`) or carries on from the previous segment's final state.
 */
export interface Segment {
  readonly steps: number;
  readonly batch: number;
  readonly inputs: Int32Array;
  /** Next-token targets, `IGNORE_INDEX` where padded. */
  readonly targets: Int32Array;
  readonly reset: boolean;
  /** Targets that are not `IGNORE_INDEX`. */
  readonly tokens: number;
}

/**
 * Stream mode (Mikolov's RNNLM, PyTorch's word_language_model): the split as one stream
 * `<s> w… </s> w… </s> …` cut into B contiguous streams read in parallel, bptt steps at a time, the state
 * carried from segment to segment. The leftover of fewer than B targets is dropped. A split too short for
 * B streams of bptt targets gets fewer streams (at least one).
 */
export function streamSegments(split: EncodedSplit, batch: number, bptt: number): Segment[] {
  const sentences = split.starts.length - 1;
  const stream = new Int32Array(1 + split.tokens.length + sentences);
  stream[0] = BOS_ID;
  let k = 1;
  for (let s = 0; s < sentences; s++) {
    stream.set(split.tokens.subarray(split.starts[s], split.starts[s + 1]), k);
    k += split.starts[s + 1]! - split.starts[s]!;
    stream[k++] = EOS_ID;
  }
  const targets = stream.length - 1;
  const B = Math.max(1, Math.min(batch, Math.floor(targets / bptt)));
  const length = Math.floor(targets / B);
  const segments: Segment[] = [];
  for (let t0 = 0; t0 < length; t0 += bptt) {
    const T = Math.min(bptt, length - t0);
    const inputs = new Int32Array(T * B);
    const next = new Int32Array(T * B);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const at = b * length + t0 + t;
        inputs[t * B + b] = stream[at]!;
        next[t * B + b] = stream[at + 1]!;
      }
    }
    segments.push({ steps: T, batch: B, inputs, targets: next, reset: t0 === 0, tokens: T * B });
  }
  return segments;
}

/**
 * Sentence mode: each sentence is its own sequence `<s> w…` → `w… </s>` from a zero state. Sentences of
 * similar length share a batch (shuffled, then sorted by length within pools of 50 batches, so padding
 * stays small); shorter ones are padded and their padding masked out of the loss, which is what
 * PyTorch's PackedSequence achieves. Long batches are cut into bptt-step segments, the state carried
 * between them. `shuffle` permutes an index array in place (seeded by the caller).
 */
export function sentenceSegments(split: EncodedSplit, batch: number, bptt: number, shuffle: (a: Int32Array) => void): Segment[] {
  const n = split.starts.length - 1;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  shuffle(order);
  const length = (s: number): number => split.starts[s + 1]! - split.starts[s]! + 1;
  const pool = 50 * batch;
  for (let p = 0; p < n; p += pool) order.subarray(p, Math.min(n, p + pool)).sort((a, b) => length(a) - length(b));
  const groups: Int32Array[] = [];
  for (let p = 0; p < n; p += batch) groups.push(order.subarray(p, Math.min(n, p + batch)));
  const groupOrder = Int32Array.from({ length: groups.length }, (_, i) => i);
  shuffle(groupOrder);

  const segments: Segment[] = [];
  for (const g of groupOrder) {
    const members = groups[g]!;
    const B = members.length;
    let longest = 0;
    for (const s of members) longest = Math.max(longest, length(s));
    for (let t0 = 0; t0 < longest; t0 += bptt) {
      const T = Math.min(bptt, longest - t0);
      const inputs = new Int32Array(T * B).fill(EOS_ID);
      const targets = new Int32Array(T * B).fill(IGNORE_INDEX);
      let tokens = 0;
      for (let b = 0; b < B; b++) {
        const s = members[b]!;
        const start = split.starts[s]!;
        const words = split.starts[s + 1]! - start;
        for (let t = 0; t < T; t++) {
          const i = t0 + t; // position in `<s> w1 … wn` (input) and `w1 … wn </s>` (target)
          if (i > words) break;
          inputs[t * B + b] = i === 0 ? BOS_ID : split.tokens[start + i - 1]!;
          targets[t * B + b] = i < words ? split.tokens[start + i]! : EOS_ID;
          tokens++;
        }
      }
      segments.push({ steps: T, batch: B, inputs, targets, reset: t0 === 0, tokens });
    }
  }
  return segments;
}
