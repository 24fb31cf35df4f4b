import type { Protocol } from '../../models/types.ts';

/**
 * The resampling units of a split, shared by the one-run bootstrap (bootstrap.ts) and the paired one (paired.ts):
 * sentences in sentence mode, non-overlapping blocks of consecutive sentences in stream mode.
 */

/**
 * In stream mode a sentence's scores depend on the sentences before it (the model's state carries over), so
 * resampling single sentences would treat correlated scores as independent and make the interval too narrow.
 * Non-overlapping blocks of ⌈n^(1/3)⌉ sentences follow the block length rate that is optimal for a block
 * bootstrap's variance and distribution estimates (Hall, Horowitz & Jing 1995): on full Brown's valid split
 * (11,690 sentences) that is 23 sentences, about 400 words, longer than any context a model here carries
 * usefully, while leaving 509 blocks to resample. (Neighbouring sentences of one text are alike even for a
 * sentence-mode model: there the blocks widen the trigram's interval above from 4.3 to 6.7.)
 */
export function streamBlockSentences(sentences: number): number {
  return Math.max(1, Math.ceil(Math.cbrt(sentences)));
}

/** Sentences a unit: 1 in sentence mode; `blockSentences` (default `streamBlockSentences`) in stream mode. */
export function unitSentences(mode: Protocol, sentences: number, blockSentences?: number): number {
  return mode === 'stream' ? (blockSentences ?? streamBlockSentences(sentences)) : 1;
}

/** Σ of a per-sentence quantity (tokens, characters) over each unit of `block` consecutive sentences. */
export function totalByUnit(perSentence: ArrayLike<number>, block: number): Float64Array {
  const out = new Float64Array(Math.ceil(perSentence.length / block));
  for (let s = 0; s < perSentence.length; s++) out[Math.floor(s / block)]! += perSentence[s]!;
  return out;
}

/**
 * Σ of a per-token quantity (ln p) over each unit; `sentenceLengths` gives each sentence's tokens, in order.
 * The caller checks that the lengths cover `values` exactly.
 */
export function sumByUnit(values: ArrayLike<number>, sentenceLengths: ArrayLike<number>, block: number): Float64Array {
  const out = new Float64Array(Math.ceil(sentenceLengths.length / block));
  let t = 0;
  for (let s = 0; s < sentenceLengths.length; s++) {
    const u = Math.floor(s / block);
    for (let end = Math.min(values.length, t + sentenceLengths[s]!); t < end; t++) out[u]! += values[t]!;
  }
  return out;
}

/** Σ of the entries. */
export function total(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

/** The q-quantile of sorted values, interpolated between the two nearest (R's and NumPy's default, type 7). */
export function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  const a = sorted[below]!;
  const b = sorted[above]!;
  // Equal ends (Infinity included) need no interpolation, which would give NaN for Infinity − Infinity.
  return a === b ? a : a + (b - a) * (at - below);
}
