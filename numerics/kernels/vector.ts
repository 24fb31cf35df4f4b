import { allocateBytes, inKernelMemory, kernelMemory, releaseBytes } from './arena.ts';
import { vectorModule } from './modules.ts';
import { softmaxParallel } from './threads.ts';
import type { FloatArray } from '../tensor.ts';
import { SOFTMAX_OUT } from './vector-wat.ts';

/**
 * The float32 vector kernels (WebAssembly SIMD, `vector-wat.ts`) for arrays in kernel memory. Callers check
 * `onVectorKernels` first and keep a plain TypeScript path for every other array (float64, ordinary memory).
 */

interface VectorExports {
  max(p: number, n: number): number;
  exp_sum(src: number, dst: number, n: number, shift: number): number;
  sum_exp(src: number, n: number, shift: number): number;
  scale(p: number, n: number, k: number): void;
  sum_squares(p: number, n: number): number;
  add_rows(dst: number, src: number, rows: number, n: number, strideBytes: number): void;
  column_sums(src: number, dst: number, rows: number, n4: number, strideBytes: number): void;
  adam(
    p: number,
    g: number,
    m: number,
    v: number,
    n4: number,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    step: number,
    inv: number,
    eps: number,
    wd: number,
  ): void;
  softmax_ce_rows(
    z: number,
    dz: number,
    targets: number,
    out: number,
    r0: number,
    r1: number,
    cols: number,
    scale: number,
    ignore: number,
    gradient: number,
  ): void;
  softmax_ce_work(job: number, work: number): number;
}

let loaded: VectorExports | undefined;

function kernels(): VectorExports {
  loaded ??= new WebAssembly.Instance(vectorModule(), { env: { memory: kernelMemory() } }).exports as unknown as VectorExports;
  return loaded;
}

/** Whether every array is float32 in kernel memory, where the vector kernels work in place. */
export function onVectorKernels(...arrays: FloatArray[]): boolean {
  for (const a of arrays) if (!(a instanceof Float32Array) || !inKernelMemory(a)) return false;
  return true;
}

const address = (a: Float32Array, offset: number): number => a.byteOffset + 4 * offset;

/** max of x[offset .. offset + n) (−Infinity for n = 0, NaN if any is NaN) */
export function maxF32(x: Float32Array, offset: number, n: number): number {
  return kernels().max(address(x, offset), n);
}

/** dst[i] = exp(src[i] − shift) over n elements (dst may be src); returns their sum. */
export function expSumF32(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, n: number, shift: number): number {
  return kernels().exp_sum(address(src, srcOffset), address(dst, dstOffset), n, shift);
}

/** Σ exp(x[i] − shift) over n elements. */
export function sumExpF32(x: Float32Array, offset: number, n: number, shift: number): number {
  return kernels().sum_exp(address(x, offset), n, shift);
}

/** x[i] *= k over n elements. */
export function scaleF32(x: Float32Array, offset: number, n: number, k: number): void {
  kernels().scale(address(x, offset), n, k);
}

/** Σ x[i]² over the whole array, accumulated in float64. */
export function sumSquaresF32(x: Float32Array): number {
  return kernels().sum_squares(x.byteOffset, x.length);
}

/** dst[r·cols + c] += src[c] over a [rows × cols] matrix. */
export function addRowsF32(dst: Float32Array, src: Float32Array, rows: number, cols: number): void {
  if (rows > 0 && cols > 0) kernels().add_rows(dst.byteOffset, src.byteOffset, rows, cols, 4 * cols);
}

/** dst[c] += Σ_r src[r·cols + c] over a [rows × cols] matrix. */
export function columnSumsF32(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  const n4 = cols & ~3;
  if (n4 > 0 && rows > 0) kernels().column_sums(src.byteOffset, dst.byteOffset, rows, n4, 4 * cols);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let c = n4; c < cols; c++) dst[c] = dst[c]! + src[o + c]!;
  }
}

/** Kernel-memory scratch of a softmax pass: the targets (int32) and SOFTMAX_OUT float64 per row; grown on demand. */
let softmaxScratch: { pointer: number; rows: number } | undefined;

function scratchFor(rows: number): number {
  if (softmaxScratch === undefined || softmaxScratch.rows < rows) {
    if (softmaxScratch !== undefined) releaseBytes(softmaxScratch.pointer);
    softmaxScratch = { pointer: allocateBytes(rows * (4 + 8 * SOFTMAX_OUT)), rows };
  }
  return softmaxScratch.pointer;
}

/**
 * One softmax pass over rows of z on the vector kernels, split across the kernel threads when there are many:
 * returns per row [max, Σ exp(z − max), z_target] (SOFTMAX_OUT float64 each, a view of kernel scratch valid
 * until the next pass), and with `gradient` writes dz = gradScale · (softmax − onehot) as well.
 */
function softmaxPass(
  z: Float32Array,
  targets: Int32Array,
  dz: Float32Array,
  rows: number,
  cols: number,
  gradScale: number,
  ignoreIndex: number,
  gradient: boolean,
): Float64Array {
  const kn = kernels();
  const scratch = scratchFor(rows);
  // The per-row results (8-byte aligned: the scratch block is) before the targets.
  const out = scratch;
  const targetsAt = scratch + rows * 8 * SOFTMAX_OUT;
  new Int32Array(kernelMemory().buffer, targetsAt, rows).set(targets.subarray(0, rows));
  const flag = gradient ? 1 : 0;
  if (!softmaxParallel(kn, z.byteOffset, dz.byteOffset, targetsAt, out, rows, cols, gradScale, ignoreIndex, flag)) {
    kn.softmax_ce_rows(z.byteOffset, dz.byteOffset, targetsAt, out, 0, rows, cols, gradScale, ignoreIndex, flag);
  }
  return new Float64Array(kernelMemory().buffer, out, rows * SOFTMAX_OUT);
}

/**
 * `softmaxCrossEntropy` (see `cross-entropy.ts`) on the vector kernels. Targets must already be checked (each
 * in 0..cols−1 or `ignoreIndex`). The loss is summed here in row order, so it is the same whichever thread did a row.
 */
export function softmaxCrossEntropyF32(
  z: Float32Array,
  targets: Int32Array,
  dz: Float32Array,
  rows: number,
  cols: number,
  gradScale: number,
  ignoreIndex: number,
): number {
  const rowsOut = softmaxPass(z, targets, dz, rows, cols, gradScale, ignoreIndex, true);
  let loss = 0;
  for (let r = 0, o = 0; r < rows; r++, o += SOFTMAX_OUT) {
    if (targets[r] !== ignoreIndex) loss += rowsOut[o]! + Math.log(rowsOut[o + 1]!) - rowsOut[o + 2]!;
  }
  return loss;
}

/** `logSoftmaxAt` (see `softmax.ts`) on the vector kernels: out[r] = z_r[t_r] − max_r − ln Σ exp(z_r − max_r). */
export function logSoftmaxAtF32(z: Float32Array, targets: Int32Array, out: Float64Array, rows: number, cols: number): void {
  const rowsOut = softmaxPass(z, targets, z, rows, cols, 0, IGNORE_NONE, false);
  for (let r = 0, o = 0; r < rows; r++, o += SOFTMAX_OUT) out[r] = rowsOut[o + 2]! - rowsOut[o]! - Math.log(rowsOut[o + 1]!);
}

/** An ignore index no target equals (scoring ignores no row). */
const IGNORE_NONE = -0x80000000;

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
