import { type Discount, estimateDiscounts } from './discounting.ts';

/**
 * Interpolated absolute discounting (Ney, Essen & Kneser 1994; Chen & Goodman 1998 §2.6, eq. 13):
 *
 *   p(w | h) = max(c(h w) − D, 0) / c(h •) + D N1+(h •) / c(h •) · p(w | h′)
 *
 * with occurrence counts at every order (Kneser-Ney's rule, `discountedRule`, without its continuation
 * counts) and one D per order, D = n1 / (n1 + 2 n2) (Ney et al. 1994, eq. 14) from the occurrence
 * count-of-counts (n1..n4 per order), or a fixed D the user gives.
 */
export function absoluteDiscounts(
  countOfCounts: readonly (readonly number[])[],
  fixed: number | readonly number[] | undefined,
  fallback: readonly [number, number, number] | undefined,
): Discount[] {
  if (fixed !== undefined) {
    return countOfCounts.map((_, i) => {
      const d = typeof fixed === 'number' ? fixed : fixed[Math.min(i, fixed.length - 1)]!;
      return { amounts: [0, d, d, d], fallback: false };
    });
  }
  return estimateDiscounts(countOfCounts, 'kn', fallback, 'absolute-discounting');
}
