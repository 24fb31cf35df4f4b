import { allocateF32, inKernelMemory, releaseF32 } from './kernels/arena.ts';

/**
 * The neural core's tensor: a plain row-major `{ shape, data }` object. float64 for gradient checks and
 * parity tests, float32 for speed. Functions accept any object of this shape.
 */
export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export interface Tensor<A extends FloatArray = FloatArray> {
  shape: number[];
  data: A;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function dtypeOf(a: FloatArray): DType {
  return a instanceof Float32Array ? 'float32' : 'float64';
}

/**
 * A zeroed array of `n` elements. Neural models allocate their parameters, gradients and activations
 * here, so that the fast kernels can place float32 arrays where they run without copying: float32
 * arrays are views of the kernels' shared WebAssembly memory (see `kernels/arena.ts` for the memory
 * model), float64 arrays are ordinary. Snapshot a float32 array with `.slice()`: `structuredClone`
 * of a shared buffer shares it instead of copying.
 */
export function allocate(dtype: DType, n: number): FloatArray {
  return dtype === 'float32' ? allocateF32(n) : new Float64Array(n);
}

/**
 * Give back an array from `allocate` once nothing uses it (a model's `dispose`): its kernel memory is
 * reused by later allocations. Arrays outside kernel memory (float64, or float32 made elsewhere, e.g.
 * loaded from a checkpoint) are left to the garbage collector. Releasing a subarray, or twice, throws.
 */
export function release(a: FloatArray): void {
  if (a instanceof Float32Array && inKernelMemory(a)) releaseF32(a);
}

/**
 * Release every float32 array allocated since `mark` (from `allocationMark()`), for tests and benchmarks
 * that build many models in one process. Arrays from before the mark are untouched.
 */
export { allocationMark, releaseSince } from './kernels/arena.ts';

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return { shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}
