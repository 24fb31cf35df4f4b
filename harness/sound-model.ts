import { UserError } from '../errors/user-error.ts';
import type { StoredArray } from '../models/checkpoint.ts';
import type { LanguageModel } from '../models/types.ts';
import type { Metrics } from './metrics.ts';

/** How far from 1 the first next-token distribution may sum (float32 scorers round; a broken one is far off or NaN). */
const MASS_TOLERANCE = 1e-3;

function nanInArrays(arrays: Readonly<Record<string, StoredArray>>): string | undefined {
  for (const [name, a] of Object.entries(arrays)) {
    if (!(a instanceof Float32Array || a instanceof Float64Array)) continue;
    // −Infinity is a legitimate log-probability (an n-gram's probability 0); NaN never is.
    for (let i = 0; i < a.length; i++) if (Number.isNaN(a[i])) return `its array "${name}" holds NaN (first at index ${i} of ${a.length})`;
  }
  return undefined;
}

function badFirstDistribution(model: LanguageModel): string | undefined {
  const scorer = model.scorer();
  scorer.reset();
  const p = new Float64Array(model.vocab.size);
  scorer.distribution(p);
  let mass = 0;
  for (let w = 0; w < p.length; w++) {
    if (!(p[w]! >= 0 && p[w]! <= 1)) return `its next-token distribution after <s> gives "${model.vocab.word(w)}" the probability ${p[w]}`;
    mass += p[w]!;
  }
  return Math.abs(mass - 1) <= MASS_TOLERANCE ? undefined : `its next-token distribution after <s> sums to ${mass}, not 1`;
}

function invalidScores(scored: Readonly<Record<string, Metrics>>): string | undefined {
  for (const [split, m] of Object.entries(scored)) {
    if (m.invalid > 0) return `${m.invalid} of the ${m.tokens} ${split} tokens get a NaN log-probability`;
  }
  return undefined;
}

/**
 * A trained model that is not a probability distribution (NaN in its arrays, NaN log-probabilities on a scored
 * split, a first next-token distribution that does not sum to 1) is never saved or recorded as a result: this
 * throws a `UserError` saying why. `scored`: the splits already evaluated (e.g. `{ valid }`); `arrays`: the
 * checkpoint's arrays when the model is about to be written; `consequence` ends the message.
 */
export function assertSoundModel(
  model: LanguageModel,
  scored: Readonly<Record<string, Metrics>>,
  options: { readonly arrays?: Readonly<Record<string, StoredArray>>; readonly consequence?: string } = {},
): void {
  const why = invalidScores(scored) ?? (options.arrays ? nanInArrays(options.arrays) : undefined) ?? badFirstDistribution(model);
  if (why) throw new UserError(`the trained ${model.plugin} model is broken: ${why}${options.consequence ? `; ${options.consequence}` : ''}`);
}
