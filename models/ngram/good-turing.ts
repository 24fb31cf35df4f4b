import { UserError } from '../../errors/user-error.ts';

/**
 * Katz's Good-Turing discount ratios d_c for counts c = 1..k of one order (Katz 1987; Chen & Goodman 1998,
 * §2.4, eqs. 7–8): with the Good-Turing count c* = (c + 1) n_{c+1} / n_c (Good 1953) and
 * A = (k + 1) n_{k+1} / n_1,
 *
 *   d_c = (c* / c − A) / (1 − A),   1 ≤ c ≤ k;   d_c = 1 for c > k,
 *
 * which keeps the counts above k as they are and takes exactly the Good-Turing mass of the unseen, n_1 / N,
 * from the counts 1..k.
 */
export interface KatzDiscount {
  /** `ratios[c]` multiplies a count c ≤ k (`ratios[0]` unused); counts above k are kept. */
  readonly ratios: readonly number[];
  /** Where Good-Turing could not be estimated: a fixed amount D subtracted from every count instead. */
  readonly fallbackAmount?: number;
}

/** The discounted count d_c · c (or c − D under the fallback). */
export function katzCount(d: KatzDiscount, c: number): number {
  if (d.fallbackAmount !== undefined) return Math.max(0, c - d.fallbackAmount);
  return c < d.ratios.length ? d.ratios[c]! * c : c;
}

/** Why the ratios of one order cannot be used, or undefined. `n[j]` = n_j for j = 1..k+1. */
function problem(n: readonly number[], k: number, ratios: readonly number[]): string | undefined {
  for (let c = 1; c <= k + 1; c++) {
    if (n[c] === 0) return `no n-gram of this order occurs exactly ${c} times (count-of-counts n${c} = 0)`;
  }
  for (let c = 1; c <= k; c++) {
    const d = ratios[c]!;
    if (!(d > 0 && d <= 1)) return `the Good-Turing ratio d${c} = ${Number(d.toPrecision(6))} is outside (0, 1]`;
  }
  return undefined;
}

/**
 * The ratios of every order from its count-of-counts (`countOfCounts[k − 1][j]` = n_j, j up to gtMax + 1).
 * Where they cannot be estimated (tiny text: a count-of-counts is zero, or a ratio falls outside (0, 1]),
 * the order subtracts the fixed `fallback` amount from every count (absolute discounting), as the Kneser-Ney
 * methods fall back to KenLM's fixed discounts; without a fallback that is a `UserError` naming the order.
 */
export function katzDiscounts(countOfCounts: readonly (readonly number[])[], gtMax: number, fallback: number | undefined): KatzDiscount[] {
  return countOfCounts.map((n, index) => {
    const k = gtMax;
    const a = ((k + 1) * n[k + 1]!) / n[1]!;
    const ratios = [0];
    for (let c = 1; c <= k; c++) ratios.push((((c + 1) * n[c + 1]!) / n[c]! / c - a) / (1 - a));
    const why = problem(n, k, ratios);
    if (!why) return { ratios };
    if (fallback === undefined) {
      throw new UserError(
        `ngram katz: cannot estimate the Good-Turing discounts of order ${index + 1}: ${why} (n1..n${k + 1} = ${n.slice(1, k + 2).join(', ')}). ` +
          'This happens on tiny or de-duplicated text. Leave out "discountFallback": false (--no-discount-fallback) to subtract a fixed 0.5 ' +
          'from every count of such orders, give "discountFallback": [D, …] to choose the amount, or lower "gtMax".',
      );
    }
    return { ratios: [0], fallbackAmount: fallback };
  });
}
