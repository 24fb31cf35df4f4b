/**
 * a·b + c rounded once, as the fused multiply-add that torch's compiled distributions use (GCC contracts
 * `x * (to - from) + from` in `uniform_real` into one FMA in the AVX2 build). JavaScript has no Math.fma. In
 * float32 the exact value is within reach of double arithmetic (below); in float64 it is formed by Dekker's
 * product and Knuth's sum when they prove it exact, else by exact integer arithmetic (BigInt), which only the
 * float64 paths (tests, parity) pay for.
 */

const SPLITTER = 2 ** 27 + 1;
const bits = new DataView(new ArrayBuffer(8));

/** (s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth's TwoSum). */
function twoSumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** e with fl(a·b) + e = a·b exactly (Dekker's TwoProduct, Veltkamp's split). */
function twoProductError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const aHigh = ca - (ca - a);
  const aLow = a - aHigh;
  const cb = SPLITTER * b;
  const bHigh = cb - (cb - b);
  const bLow = b - bHigh;
  return aLow * bLow - (p - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/** A finite double as mantissa·2^exponent with an integer mantissa. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  bits.setFloat64(0, x);
  const high = bits.getUint32(0);
  const low = bits.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased !== 0) mantissa |= 1n << 52n;
  if (high >>> 31) mantissa = -mantissa;
  return { mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/** Bits of an exact sum that Number() can take without overflowing (2¹⁰²⁴), with room to spare. */
const MAX_BITS = 1000n;

/**
 * a·b + c exactly as an integer times 2^exponent, then rounded to double: Number() of a BigInt rounds to
 * nearest, ties to even. A sum too long for it keeps its top bits and a sticky bit for the rest, which leaves
 * the rounding unchanged. Finite, normal results.
 */
function exactFma(a: number, b: number, c: number): number {
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const productExponent = x.exponent + y.exponent;
  let exponent = Math.min(productExponent, z.exponent);
  const sum = ((x.mantissa * y.mantissa) << BigInt(productExponent - exponent)) + (z.mantissa << BigInt(z.exponent - exponent));
  const negative = sum < 0n;
  let magnitude = negative ? -sum : sum;
  const excess = BigInt(magnitude.toString(2).length) - MAX_BITS;
  if (excess > 0n) {
    const sticky = (magnitude & ((1n << excess) - 1n)) !== 0n ? 1n : 0n;
    magnitude = (magnitude >> excess) | sticky;
    exponent += Number(excess);
  }
  const rounded = scaleByPowerOfTwo(Number(magnitude), exponent);
  return negative ? -rounded : rounded;
}

/** v·2^k without overflow of the intermediate power of two. */
function scaleByPowerOfTwo(v: number, k: number): number {
  let out = v;
  let left = k;
  while (left < -1000) {
    out *= 2 ** -1000;
    left += 1000;
  }
  return out * 2 ** left;
}

/** a·b + c rounded once to double. */
export function fmaFloat64(a: number, b: number, c: number): number {
  const p = a * b;
  const productError = twoProductError(a, b, p);
  const s = p + c;
  if (productError === 0 && twoSumError(p, c, s) === 0) return s;
  return exactFma(a, b, c);
}

/**
 * a·b + c rounded once to float32, for float32 a, b, c. a·b is exact in double (24 + 24 bits); s = fl(p + c) is
 * the double nearest the exact sum v, and rounding s to float32 gives v's float32 unless s is exactly halfway
 * between two floats (a double strictly between v and s does not exist, so no float boundary lies between them
 * but s itself). There, Knuth's TwoSum error says on which side v lies.
 */
export function fmaFloat32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const rounded = Math.fround(s);
  if (rounded === s) return rounded;
  const error = twoSumError(p, c, s);
  if (error === 0) return rounded;
  // s is a midpoint iff its mirror image through s from the rounded float is a float too.
  const other = rounded + 2 * (s - rounded);
  if (Math.fround(other) !== other) return rounded;
  return error > 0 === other > rounded ? other : rounded;
}
