import { readFileSync } from 'node:fs';
import { inKernelMemory, kernelMemory } from '../kernels/arena.ts';
import type { FloatArray } from '../tensor.ts';

/**
 * The float32 vector kernels (WebAssembly SIMD, `vector-wat.ts`) for arrays in kernel memory. The kernels
 * take multiples of 4 elements; these wrappers finish the last 0–3 in TypeScript. Callers check
 * `onVectorKernels` first and keep a plain TypeScript path for every other array (float64, ordinary memory).
 */

interface VectorExports {
  max(p: number, n4: number): number;
  exp_sum(src: number, dst: number, n4: number, shift: number): number;
  sum_exp(src: number, n4: number, shift: number): number;
  scale(p: number, n4: number, k: number): void;
  column_sums(src: number, dst: number, rows: number, n4: number, strideBytes: number): void;
  adam(p: number, g: number, m: number, v: number, n4: number, b1: number, b2: number, c1: number, c2: number, step: number, inv: number, eps: number, wd: number): void;
}

/** The assembled kernels, committed; built from `vector-wat.ts` by `build.ts`. */
export const VECTOR_WASM_URL = new URL('./vector.wasm', import.meta.url);

let loaded: VectorExports | undefined;

function kernels(): VectorExports {
  if (loaded === undefined) {
    const module = new WebAssembly.Module(readFileSync(VECTOR_WASM_URL));
    loaded = new WebAssembly.Instance(module, { env: { memory: kernelMemory() } }).exports as unknown as VectorExports;
  }
  return loaded;
}

/** Whether every array is float32 in kernel memory, where the vector kernels work in place. */
export function onVectorKernels(...arrays: FloatArray[]): boolean {
  for (const a of arrays) if (!(a instanceof Float32Array) || !inKernelMemory(a)) return false;
  return true;
}

const address = (a: Float32Array, offset: number): number => a.byteOffset + 4 * offset;

/** max of x[offset .. offset + n) */
export function maxF32(x: Float32Array, offset: number, n: number): number {
  const n4 = n & ~3;
  let max = n4 > 0 ? kernels().max(address(x, offset), n4) : -Infinity;
  for (let i = n4; i < n; i++) if (x[offset + i]! > max || Number.isNaN(x[offset + i]!)) max = x[offset + i]!;
  return max;
}

/** dst[i] = exp(src[i] − shift) over n elements (dst may be src); returns their sum. */
export function expSumF32(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, n: number, shift: number): number {
  const n4 = n & ~3;
  let sum = n4 > 0 ? kernels().exp_sum(address(src, srcOffset), address(dst, dstOffset), n4, shift) : 0;
  for (let i = n4; i < n; i++) {
    const e = Math.exp(src[srcOffset + i]! - shift);
    dst[dstOffset + i] = e;
    sum += e;
  }
  return sum;
}

/** Σ exp(x[i] − shift) over n elements. */
export function sumExpF32(x: Float32Array, offset: number, n: number, shift: number): number {
  const n4 = n & ~3;
  let sum = n4 > 0 ? kernels().sum_exp(address(x, offset), n4, shift) : 0;
  for (let i = n4; i < n; i++) sum += Math.exp(x[offset + i]! - shift);
  return sum;
}

/** x[i] *= k over n elements. */
export function scaleF32(x: Float32Array, offset: number, n: number, k: number): void {
  const n4 = n & ~3;
  if (n4 > 0) kernels().scale(address(x, offset), n4, k);
  for (let i = n4; i < n; i++) x[offset + i] = x[offset + i]! * k;
}

/** dst[c] += Σ_r src[r·cols + c] over a [rows × cols] matrix. */
export function columnSumsF32(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const n4 = cols & ~3;
  if (n4 > 0 && rows > 0) kernels().column_sums(src.byteOffset, dst.byteOffset, rows, n4, 4 * cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = n4; c < cols; c++) dst[c] = dst[c]! + src[o + c]!;
  }
}

export interface AdamConstants {
  readonly beta1: number;
  readonly beta2: number;
  readonly stepSize: number;
  readonly invSqrtCorrection2: number;
  readonly eps: number;
  readonly weightDecay: number;
}

/**
 * One Adam step (see `adam.ts`) in float32, as torch computes it, over the first n − n mod 4 parameters;
 * returns how many it did (the caller finishes the rest).
 */
export function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, k: AdamConstants): number {
  const n4 = n & ~3;
  const { beta1: b1, beta2: b2 } = k;
  if (n4 > 0) {
    kernels().adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, n4, b1, b2, 1 - b1, 1 - b2, k.stepSize, k.invSqrtCorrection2, k.eps, k.weightDecay);
  }
  return n4;
}
