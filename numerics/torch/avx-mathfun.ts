import { fmaFloat32 } from './fused-multiply-add.ts';

/**
 * The float32 logarithm and sine/cosine that torch's AVX2 `normal_` computes its Box-Muller transform with
 * (`aten/src/ATen/native/cpu/avx_mathfun.h`, Giovanni Garberoglio's AVX version of Julien Pommier's
 * sse_mathfun, itself the Cephes `logf` / `sinf` / `cosf` polynomials), reproduced one float32 operation at a
 * time so that the normals equal torch's bit for bit. Where GCC contracts a product and the sum that uses it
 * into one fused multiply-add (the AVX2 build is compiled with FMA and `-ffp-contract=fast`), so do we: the
 * first product of each such pair in program order is the one fused.
 */

const f = Math.fround;
const floatView = new Float32Array(1);
const intView = new Int32Array(floatView.buffer);

function bitsOf(x: number): number {
  floatView[0] = x;
  return intView[0]!;
}

function fromBits(i: number): number {
  intView[0] = i;
  return floatView[0]!;
}

const ONE_HALF_BITS = 0x3f000000;
const EXPONENT_BITS = 0x7f800000;
const SQRT_HALF = f(Math.SQRT1_2);
const LOG_POLYNOMIAL = [
  7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1,
].map(f);
const LOG_Q1 = f(-2.1219444e-4);
const LOG_Q2 = f(0.693359375);

/** Cephes logf for x > 0 (`log256_ps`): x = m·2^e with m ∈ [√½, √2), ln x = e·ln 2 + ln m by a degree-9 polynomial. */
export function logFloat32(x: number): number {
  const b = bitsOf(x);
  let e = f((b >>> 23) - 127 + 1);
  let m = fromBits((b & ~EXPONENT_BITS) | ONE_HALF_BITS);
  const small = m < SQRT_HALF;
  const carried = small ? m : 0;
  m = f(m - 1);
  if (small) e = f(e - 1);
  m = f(m + carried);
  const z = f(m * m);
  let y = fmaFloat32(LOG_POLYNOMIAL[0]!, m, LOG_POLYNOMIAL[1]!);
  for (let k = 2; k < LOG_POLYNOMIAL.length; k++) y = fmaFloat32(y, m, LOG_POLYNOMIAL[k]!);
  y = f(y * m);
  y = fmaFloat32(y, z, f(e * LOG_Q1));
  y = fmaFloat32(-z, 0.5, y);
  return fmaFloat32(e, LOG_Q2, f(m + y));
}

const FOUR_OVER_PI = f(1.27323954473516);
const MINUS_DP1 = f(-0.78515625);
const MINUS_DP2 = f(-2.4187564849853516e-4);
const MINUS_DP3 = f(-3.774894977445941e-8);
const SIN_P0 = f(-1.9515295891e-4);
const SIN_P1 = f(8.3321608736e-3);
const SIN_P2 = f(-1.6666654611e-1);
const COS_P0 = f(2.443315711809948e-5);
const COS_P1 = f(-1.388731625493765e-3);
const COS_P2 = f(4.166664568298827e-2);

export interface SineCosine {
  sin: number;
  cos: number;
}

/**
 * Cephes sinf and cosf together (`sincos256_ps`): x reduced by the octant j (Cody-Waite, π/4 in three parts),
 * then the sine and cosine polynomials on [−π/4, π/4], swapped and signed by j. Writes into `out`.
 */
export function sinCosFloat32(x: number, out: SineCosine): void {
  const negative = x < 0 || Object.is(x, -0);
  let r = Math.abs(x);
  let j = Math.trunc(f(r * FOUR_OVER_PI)) | 0;
  j = (j + 1) & ~1;
  const octant = f(j);
  const sinSign = ((j & 4) !== 0) !== negative;
  const cosSign = ((j - 2) & 4) === 0;
  const usePolynomialOrder = (j & 2) === 0;
  r = fmaFloat32(octant, MINUS_DP1, r);
  r = fmaFloat32(octant, MINUS_DP2, r);
  r = fmaFloat32(octant, MINUS_DP3, r);
  const z = f(r * r);
  let c = fmaFloat32(COS_P0, z, COS_P1);
  c = fmaFloat32(c, z, COS_P2);
  c = f(c * z);
  c = fmaFloat32(c, z, f(-0.5 * z));
  c = f(c + 1);
  let s = fmaFloat32(SIN_P0, z, SIN_P1);
  s = fmaFloat32(s, z, SIN_P2);
  s = f(s * z);
  s = fmaFloat32(s, r, r);
  const sin = usePolynomialOrder ? s : c;
  const cos = usePolynomialOrder ? c : s;
  out.sin = sinSign ? -sin : sin;
  out.cos = cosSign ? -cos : cos;
}
