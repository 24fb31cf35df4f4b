/**
 * a·b + c rounded once, as the fused multiply-add that torch's compiled distributions use (GCC contracts
 * `x * (to - from) + from` in `uniform_real` into one FMA in the AVX2 build). JavaScript has no Math.fma: the
 * exact value is formed by Dekker's products and Knuth's sums, falling back to exact integer arithmetic
 * (BigInt) when the cheap forms cannot prove the sum exact.
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

/** a·b + c exactly, as an integer times 2^exponent. */
function exactProductSum(a: number, b: number, c: number): { sum: bigint; exponent: number } {
  const x = decompose(a);
  const y = decompose(b);
  const z = decompose(c);
  const productExponent = x.exponent + y.exponent;
  const exponent = Math.min(productExponent, z.exponent);
  const sum = ((x.mantissa * y.mantissa) << BigInt(productExponent - exponent)) + (z.mantissa << BigInt(z.exponent - exponent));
  return { sum, exponent };
}

/** a·b + c exactly, rounded to double (ties to even: Number of a BigInt rounds so); finite, normal results. */
function exactFma(a: number, b: number, c: number): number {
  const { sum, exponent } = exactProductSum(a, b, c);
  return scaleByPowerOfTwo(Number(sum), exponent);
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
 * a·b + c rounded once to float32, for float32 a, b, c: a·b is exact in double (24 + 24 bits), and so is the
 * sum when TwoSum says so; otherwise the exact value is rounded directly (one rounding, never two).
 */
export function fmaFloat32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  if (twoSumError(p, c, s) === 0) return Math.fround(s);
  return roundExactToFloat32(a, b, c);
}

function roundExactToFloat32(a: number, b: number, c: number): number {
  const { sum, exponent } = exactProductSum(a, b, c);
  if (sum === 0n) return 0;
  // Keep 24 significant bits with round-half-even on the exact integer, then scale: one rounding.
  const negative = sum < 0n;
  let magnitude = negative ? -sum : sum;
  const length = magnitude.toString(2).length;
  let shift = length - 24;
  if (shift > 0) {
    const half = 1n << BigInt(shift - 1);
    const remainder = magnitude & ((1n << BigInt(shift)) - 1n);
    magnitude >>= BigInt(shift);
    if (remainder > half || (remainder === half && (magnitude & 1n) === 1n)) magnitude += 1n;
  } else {
    shift = 0;
  }
  const rounded = scaleByPowerOfTwo(Number(magnitude), exponent + shift);
  return Math.fround(negative ? -rounded : rounded);
}
