import { UserError } from '../../errors/user-error.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import { checkSameTokens } from './mixture.ts';

/** SRILM compare-ppls' count of tokens where run A gives the higher, lower or the same ln p as run B. */
export interface Tally {
  readonly tokens: number;
  readonly better: number;
  readonly worse: number;
  readonly equal: number;
  /** better / tokens, and so on; 0 for a bucket without tokens. */
  readonly betterShare: number;
  readonly worseShare: number;
  readonly equalShare: number;
}

export interface BucketTally extends Tally {
  readonly bucket: string;
}

/** A tally from its counts, with the shares. */
export function shares(tokens: number, better: number, worse: number, equal: number): Tally {
  const of = (n: number): number => (tokens ? n / tokens : 0);
  return { tokens, better, worse, equal, betterShare: of(better), worseShare: of(worse), equalShare: of(equal) };
}

/**
 * Per-token wins and losses of A against B, overall and by bucket (`bucketOf[t]` indexes `bucketNames`, e.g. the
 * report's FREQUENCY_BUCKETS by the target's training count). Equal means the same float32 ln p, as stored in
 * runs/ID.*.f32; two −Infinity are equal.
 */
export function tallyTokens(
  a: FloatArray,
  b: FloatArray,
  buckets?: { readonly bucketOf: ArrayLike<number>; readonly bucketNames: readonly string[] },
): { readonly overall: Tally; readonly byBucket: readonly BucketTally[] } {
  checkSameTokens('token tally', [a.length, b.length, ...(buckets ? [buckets.bucketOf.length] : [])]);
  const names = buckets?.bucketNames ?? [];
  const counts = names.map(() => [0, 0, 0] as [number, number, number]);
  const overall: [number, number, number] = [0, 0, 0];
  for (let t = 0; t < a.length; t++) {
    const x = Math.fround(a[t]!);
    const y = Math.fround(b[t]!);
    const outcome = x > y ? 0 : x < y ? 1 : 2;
    overall[outcome]++;
    if (!buckets) continue;
    const bucket = counts[buckets.bucketOf[t]!];
    if (!bucket) throw new UserError(`token tally: token ${t} has bucket ${buckets.bucketOf[t]}, not one of the ${names.length} buckets`);
    bucket[outcome]++;
  }
  return {
    overall: shares(a.length, ...overall),
    byBucket: counts.map(([w, l, e], i) => ({ bucket: names[i]!, ...shares(w + l + e, w, l, e) })),
  };
}
