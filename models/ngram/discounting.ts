import { UserError } from '../../errors/user-error.ts';

/**
 * Stage 3 (lmplz: "discounting"): how much each n-gram's adjusted count is discounted, per order, from
 * the count-of-counts n1…n4 of the adjusted counts.
 */

/** `amounts[c]` is subtracted from an adjusted count c (c ≥ 3 uses `amounts[3]`); `amounts[0]` = 0. */
export interface Discount {
  readonly amounts: readonly [0, number, number, number];
  /** True where the estimate failed and the fallback was used instead. */
  readonly fallback: boolean;
}

export type DiscountKind = 'kn' | 'mkn';

/** KenLM's `--discount_fallback` default: D1 = 0.5, D2 = 1, D3+ = 1.5. */
export const KENLM_FALLBACK: readonly [number, number, number] = [0.5, 1, 1.5];

export function discountAmount(d: Discount, count: number): number {
  // `as 0 | 1 | 2 | 3`: the tuple index is in range, which TypeScript cannot see through the comparison.
  return d.amounts[(count < 3 ? count : 3) as 0 | 1 | 2 | 3];
}

const f = Math.fround;

/**
 * Y = n1 / (n1 + 2 n2) (Ney, Essen & Kneser 1994), in single precision as lmplz computes it.
 * `countOfCounts[j]` = n_j.
 */
function estimateY(n: readonly number[]): number {
  return f(f(n[1]!) / f(n[1]! + 2 * n[2]!));
}

/**
 * Modified Kneser-Ney discounts (Chen & Goodman 1998, eq. 26): D_j = j − (j+1) Y n_{j+1} / n_j for
 * j = 1, 2, 3+, computed in single precision in lmplz's order of operations so the values are lmplz's.
 */
function modifiedDiscounts(n: readonly number[]): [number, number, number] {
  const y = estimateY(n);
  const d = (j: number): number => f(f(j) - f(f(f(f(j + 1) * y) * f(n[j + 1]!)) / f(n[j]!)));
  return [d(1), d(2), d(3)];
}

function why(kind: DiscountKind, k: number, n: readonly number[]): string | undefined {
  const needed = kind === 'mkn' ? [1, 2, 3] : [1, 2];
  for (const j of needed) {
    if (n[j] === 0) {
      return `no ${k}-gram has adjusted count ${j} (count-of-counts n${j} = 0 for order ${k}; n1..n4 = ${n.slice(1).join(', ')})`;
    }
  }
  return undefined;
}

/**
 * The discounts of every order. Where one cannot be estimated (a needed count-of-counts is zero, as on
 * tiny or de-duplicated text, or an estimate falls outside [0, j]) this throws a `UserError` that names the
 * order and the count, unless `fallback` (D1, D2, D3+) is given, which then replaces that order's discounts
 * as KenLM's `--discount_fallback` does. Interpolated Kneser-Ney has one discount per order (Y); its
 * fallback is D1.
 */
export function estimateDiscounts(
  countOfCounts: readonly (readonly number[])[],
  kind: DiscountKind,
  fallback: readonly [number, number, number] | undefined,
  /** The method named in errors ("absolute-discounting" estimates one discount per order, as kn, from occurrence counts). */
  method: string = kind,
): Discount[] {
  return countOfCounts.map((n, i) => {
    const k = i + 1;
    let problem = why(kind, k, n);
    let amounts: [number, number, number] | undefined;
    if (!problem) {
      amounts = kind === 'mkn' ? modifiedDiscounts(n) : [estimateY(n), estimateY(n), estimateY(n)];
      const bad = amounts.findIndex((d, j) => !(d >= 0 && d <= j + 1));
      if (bad >= 0) {
        const name = kind === 'kn' ? 'D' : bad === 2 ? 'D3+' : `D${bad + 1}`;
        problem = `the order-${k} discount ${name} = ${Number(amounts[bad]!.toPrecision(6))} is outside [0, ${bad + 1}] (count-of-counts n1..n4 = ${n.slice(1).join(', ')})`;
      }
    }
    if (!problem) return { amounts: [0, ...amounts!], fallback: false };
    if (!fallback) {
      throw new UserError(
        `ngram ${method}: cannot estimate the ${kind === method ? 'Kneser-Ney' : method} discounts: ${problem}. This happens on tiny or de-duplicated text. ` +
          `To use fixed discounts for such orders, leave out "discountFallback": false (--no-discount-fallback on the command line) ` +
          `for KenLM's D1, D2, D3+ = ${KENLM_FALLBACK.join(', ')}, or give "discountFallback": [D1, D2, D3+].`,
      );
    }
    const used: [number, number, number] = kind === 'mkn' ? [fallback[0], fallback[1], fallback[2]] : [fallback[0], fallback[0], fallback[0]];
    return { amounts: [0, ...used], fallback: true };
  });
}
