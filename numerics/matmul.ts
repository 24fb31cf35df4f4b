import { inKernelMemory } from './kernels/arena.ts';
import { extent, gemmF32 } from './kernels/gemm.ts';
import { matmulF64, matmulTransAF64, matmulTransBF64 } from './matmul-f64.ts';
import type { FloatArray } from './tensor.ts';

/**
 * The matrix products every neural model uses. A, B and C share one dtype; shapes as in the reference
 * (`matmul-reference.ts`); `accumulate` adds into C instead of overwriting it. C must not overlap A or B.
 *
 * float32 runs on the WebAssembly SIMD kernels (`kernels/`): fastest when the operands come from
 * `allocate('float32', n)` (kernel memory, used in place; subarrays of such arrays too), correct but
 * slower for other Float32Arrays (copied in and out). float64 runs in plain TypeScript (`matmul-f64.ts`).
 */
export type MatrixProduct = (a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, accumulate?: boolean) => void;

function overlap(x: FloatArray, xLength: number, y: FloatArray, yLength: number): boolean {
  const sameMemory = x.buffer === y.buffer || (inKernelMemory(x) && inKernelMemory(y));
  const xEnd = x.byteOffset + x.BYTES_PER_ELEMENT * xLength;
  const yEnd = y.byteOffset + y.BYTES_PER_ELEMENT * yLength;
  return sameMemory && xLength > 0 && yLength > 0 && x.byteOffset < yEnd && y.byteOffset < xEnd;
}

const isDimension = (d: number): boolean => Number.isSafeInteger(d) && d >= 0;

/** Throws unless the shapes are whole numbers, the operands long enough, and C apart from A and B. */
function check(name: string, a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, aLength: number, bLength: number): void {
  if (!isDimension(m) || !isDimension(k) || !isDimension(n)) throw new RangeError(`${name}: bad dimensions m=${m} k=${k} n=${n}`);
  if (a.length < aLength || b.length < bLength || c.length < m * n) {
    throw new RangeError(`${name}: operands too short for m=${m} k=${k} n=${n} (A ${a.length}/${aLength}, B ${b.length}/${bLength}, C ${c.length}/${m * n})`);
  }
  if (overlap(c, m * n, a, aLength) || overlap(c, m * n, b, bLength)) throw new RangeError(`${name}: C must not overlap A or B`);
}

function dtypeError(name: string): TypeError {
  return new TypeError(`${name}: A, B and C must all be Float32Array or all Float64Array`);
}

/** C[m×n] (+)= A[m×k] · B[k×n] */
export const matmul: MatrixProduct = (a, b, c, m, k, n, accumulate = false) => {
  check('matmul', a, b, c, m, k, n, extent(m, k, k, 1), extent(k, n, n, 1));
  if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) gemmF32(m, n, k, a, k, 1, b, n, 1, c, accumulate);
  else if (a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array) matmulF64(a, b, c, m, k, n, accumulate);
  else throw dtypeError('matmul');
};

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export const matmulTransB: MatrixProduct = (a, b, c, m, k, n, accumulate = false) => {
  check('matmulTransB', a, b, c, m, k, n, extent(m, k, k, 1), extent(k, n, 1, k));
  if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) gemmF32(m, n, k, a, k, 1, b, 1, k, c, accumulate);
  else if (a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array) matmulTransBF64(a, b, c, m, k, n, accumulate);
  else throw dtypeError('matmulTransB');
};

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export const matmulTransA: MatrixProduct = (a, b, c, m, k, n, accumulate = false) => {
  check('matmulTransA', a, b, c, m, k, n, extent(m, k, 1, m), extent(k, n, n, 1));
  if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) gemmF32(m, n, k, a, 1, m, b, n, 1, c, accumulate);
  else if (a instanceof Float64Array && b instanceof Float64Array && c instanceof Float64Array) matmulTransAF64(a, b, c, m, k, n, accumulate);
  else throw dtypeError('matmulTransA');
};
