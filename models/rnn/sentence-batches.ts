/** Sentences of one batch of `scoreSentences`: their indices in the call, and the time steps it runs. */
export interface SentenceBatch {
  readonly members: readonly number[];
  /** The recurrence steps of the batch: its longest sentence's length − 1 (the last token is never fed). */
  readonly steps: number;
}

/**
 * Cut sentences into batches for the recurrence: sorted by length, longest first (ties in their given order),
 * so that a batch pads little; each batch holds at most `maxBatch` sentences and steps × sentences ≤ `rows`.
 * A sentence whose steps alone exceed `rows` is a batch of its own (with `steps` > `rows`, for the caller to
 * run in pieces).
 */
export function planBatches(sentences: readonly Int32Array[], rows: number, maxBatch: number): SentenceBatch[] {
  const order = sentences.map((_, j) => j).sort((a, b) => sentences[b]!.length - sentences[a]!.length || a - b);
  const batches: SentenceBatch[] = [];
  let i = 0;
  while (i < order.length) {
    const steps = Math.max(sentences[order[i]!]!.length - 1, 0);
    const size = steps > rows ? 1 : Math.min(maxBatch, steps === 0 ? maxBatch : Math.floor(rows / steps));
    batches.push({ members: order.slice(i, i + size), steps });
    i += size;
  }
  return batches;
}
