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
 * here, so that the fast kernels can place float32 arrays where they run without copying.
 */
export function allocate(dtype: DType, n: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return { shape: [...shape], data: allocate(dtype, sizeOf(shape)) };
}
