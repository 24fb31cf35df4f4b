import { describe, expect, it } from 'vitest';
import { fmaFloat32, fmaFloat64 } from '../../numerics/torch/fused-multiply-add.ts';

/** a·b + c rounded once to float32, by exact rationals (BigInt over a common power of two). */
function fmaFloat32Reference(a: number, b: number, c: number): number {
  const scale = 2n ** 100n; // a·b is scaled by 2²⁰⁰, c (and each candidate) by 2¹⁰⁰ · 2¹⁰⁰
  const big = (x: number): bigint => BigInt(x * 2 ** 100); // float32 operands here are multiples of 2⁻¹⁰⁰
  const exact = big(a) * big(b) + big(c) * scale;
  // Bracket by the float32 neighbours of the double nearest, then pick the nearer (ties to even).
  const approx = Math.fround(Number(exact) / 2 ** 200);
  const candidates = [approx, nextFloat32(approx, -1), nextFloat32(approx, 1)];
  let best = approx;
  let bestDistance = -1n;
  for (const f of candidates) {
    const d = exact - big(f) * scale;
    const distance = d < 0n ? -d : d;
    if (bestDistance < 0n || distance < bestDistance || (distance === bestDistance && isEven(f) && !isEven(best))) {
      best = f;
      bestDistance = distance;
    }
  }
  return best;
}

function nextFloat32(x: number, direction: 1 | -1): number {
  const f = new Float32Array([x]);
  const i = new Int32Array(f.buffer);
  if (x === 0) return direction * 2 ** -149;
  i[0]! += x > 0 === direction > 0 ? 1 : -1;
  return f[0]!;
}

function isEven(x: number): boolean {
  return (new Int32Array(new Float32Array([x]).buffer)[0]! & 1) === 0;
}

describe('fused multiply-add (one rounding)', () => {
  it('float64: keeps the low part of a product that one rounding of a·b loses', () => {
    const a = 1 + 2 ** -52;
    const b = 1 - 2 ** -52;
    expect(a * b - 1).toBe(0);
    expect(fmaFloat64(a, b, -1)).toBe(-(2 ** -104));
    expect(fmaFloat64(3, 0.5, 0.25)).toBe(1.75);
    // Addends far apart: the exact sum is over a thousand bits long.
    expect(fmaFloat64(a, b, 1e-300)).toBe(1);
    expect(fmaFloat64(1e-300, 1e-10, -(a * b))).toBe(-1);
  });

  it('float32: agrees with exact rounding over many random operands', () => {
    let state = 12345;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    for (let i = 0; i < 20000; i++) {
      const a = Math.fround((next() - 0.5) * 4);
      const b = Math.fround((next() - 0.5) * 2 ** Math.floor(next() * 40 - 20));
      const c = Math.fround((next() - 0.5) * 2 ** Math.floor(next() * 40 - 20));
      // Exponents 40 apart: the exact sum is often longer than a double, so the TwoSum path is taken.
      expect(fmaFloat32(a, b, c)).toBe(fmaFloat32Reference(a, b, c));
    }
  });

  it('float32: rounds the exact value once, where rounding to double first would land on a tie', () => {
    // a·b + c = 1 + 2⁻²³ + 2⁻²⁴ − 2⁻⁷⁰: just below the float32 midpoint, so 1 + 2⁻²³; through double it is the
    // midpoint itself, which rounds to the even neighbour 1 + 2⁻²².
    const a = 1 + 2 ** -23;
    const b = 2 ** -24 - 2 ** -47;
    const c = 1 + 2 ** -23;
    expect(Math.fround(a * b + c)).toBe(1 + 2 ** -22);
    expect(fmaFloat32(a, b, c)).toBe(1 + 2 ** -23);
    expect(fmaFloat32(-a, b, -c)).toBe(-(1 + 2 ** -23));
    expect(fmaFloat32(0.5, 0.25, 1)).toBe(1.125);
  });
});
