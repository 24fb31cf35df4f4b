/**
 * Quantised probabilities and back-off weights as KenLM's `build_binary -q P -b B` makes them (lm/quantize.cc,
 * "SeparatelyQuantize", after Federico & Bertoldi 2006, "How many bits are needed to store probabilities for
 * phrase-based translation?"): for each order from 2 up, one codebook for log10 p and one for log10 b, each of
 * 2^bits centres; a value is stored as the index of its nearest centre.
 *
 * - The centres are bins of equal counts over the sorted values, each centre the mean of its bin (MakeBins:
 *   bin i ends at ⌊n (i + 1) / bins⌋; the sum in double precision, the mean rounded to single precision; an
 *   empty bin, when there are fewer values than bins, repeats the centre before it, or −∞ for the first).
 * - Back-off weights: the two first codes are reserved for the value 0 (KenLM's kNoExtensionBackoff −0 and
 *   kExtensionBackoff +0; both are 0 here, where nothing tells them apart), so zero back-offs stay exact and
 *   are left out of the bins; the other 2^bits − 2 centres are trained on the non-zero back-offs.
 * - Unigrams are not quantised (KenLM stores them as floats), nor is there a back-off at the highest order.
 */

/** Codebook centres of `values` in `bins` equal-count bins (KenLM's MakeBins). `values` is sorted in place. */
export function equalCountCentres(values: Float32Array, bins: number): Float32Array {
  values.sort();
  const centres = new Float32Array(bins);
  const n = values.length;
  let start = 0;
  for (let i = 0; i < bins; i++) {
    // KenLM computes (size · (i + 1)) / bins in 64-bit integers: exact, as this is below 2^53.
    const finish = Math.floor((n * (i + 1)) / bins);
    if (finish === start) {
      centres[i] = i > 0 ? centres[i - 1]! : -Infinity;
    } else {
      let sum = 0;
      for (let j = start; j < finish; j++) sum += values[j]!;
      centres[i] = sum / Math.fround(finish - start);
    }
    start = finish;
  }
  return centres;
}

/** Codes 0 and 1 of a back-off codebook: the exact zero (KenLM's two zeros, without and with extensions). */
export const RESERVED_BACKOFF_CODES = 2;

/**
 * The code of `value`: its nearest centre from `reserved` on (KenLM's Bins::Encode: the first centre ≥ value
 * by lower_bound, or the one before it when that is strictly nearer, differences in single precision).
 */
export function encode(centres: Float32Array, value: number, reserved = 0): number {
  let lo = reserved;
  let hi = centres.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (centres[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  if (lo === reserved) return reserved;
  if (lo === centres.length) return centres.length - 1;
  return Math.fround(value - centres[lo - 1]!) < Math.fround(centres[lo]! - value) ? lo - 1 : lo;
}

/** The probability codebook of one order: 2^bits equal-count centres over every log10 p. */
export function probCodebook(logProb: Float32Array, bits: number): Float32Array {
  return equalCountCentres(Float32Array.from(logProb), 2 ** bits);
}

/** The back-off codebook of one order: two reserved zeros, then 2^bits − 2 centres over the non-zero log10 b. */
export function backoffCodebook(logBackoff: Float32Array, bits: number): Float32Array {
  const nonZero = logBackoff.filter((b) => b !== 0);
  const centres = new Float32Array(2 ** bits);
  centres.set(equalCountCentres(nonZero, 2 ** bits - RESERVED_BACKOFF_CODES), RESERVED_BACKOFF_CODES);
  return centres;
}

/** The code of a back-off weight: 0 for an exact zero (KenLM's EncodeBackoff), its nearest non-zero centre otherwise. */
export function encodeBackoff(centres: Float32Array, value: number): number {
  return value === 0 ? 0 : encode(centres, value, RESERVED_BACKOFF_CODES);
}

/** The bits of `probBits`/`backoffBits`; KenLM reads at most 25 (ReadInt25), and a back-off needs its two reserved codes. */
export const QUANTISATION_BITS = { prob: { min: 1, max: 25 }, backoff: { min: 2, max: 25 } } as const;

export interface Quantisation {
  readonly probBits: number;
  readonly backoffBits: number;
}

/** What is wrong with the quantisation options of these hyper-parameters (for the schema's refinement). */
export function quantisationIssues(hp: {
  readonly smoothing: string;
  readonly probBits?: number | undefined;
  readonly backoffBits?: number | undefined;
}): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  if (hp.backoffBits !== undefined && hp.probBits === undefined) {
    issues.push({ path: ['backoffBits'], message: 'goes with probBits (quantisation of the probabilities, as KenLM’s -b goes with -q); set probBits too' });
  }
  if (hp.probBits !== undefined && (hp.smoothing === 'mle' || hp.smoothing === 'add-k')) {
    issues.push({ path: ['probBits'], message: `quantises a back-off model's probabilities; "${hp.smoothing}" stores counts` });
  }
  return issues;
}
