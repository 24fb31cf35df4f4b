import { describe, expect, it } from 'vitest';
import { fmaFloat32, fmaFloat64 } from '../../numerics/torch/fused-multiply-add.ts';

describe('fused multiply-add (one rounding)', () => {
  it('float64: keeps the low part of a product that one rounding of a·b loses', () => {
    const a = 1 + 2 ** -52;
    const b = 1 - 2 ** -52;
    expect(a * b - 1).toBe(0);
    expect(fmaFloat64(a, b, -1)).toBe(-(2 ** -104));
    expect(fmaFloat64(3, 0.5, 0.25)).toBe(1.75);
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
