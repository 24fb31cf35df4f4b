import { allocate, sizeOf, type DType, type FloatArray } from './tensor.ts';
import { TouchedRows } from './touched-rows.ts';

/**
 * A trainable array with its gradient, named and shaped as in PyTorch's `named_parameters()`. Row-major;
 * `data` and `grad` have the same dtype and `sizeOf(shape)` elements. Optimisers and gradient clipping
 * take lists of these.
 */
export interface Parameter<A extends FloatArray = FloatArray> {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: A;
  readonly grad: A;
  /**
   * For a row-sparse gradient (an embedding table, a class output's word rows): the rows written since the
   * gradient was last zeroed. Zeroing, the norm, clipping and `SparseAdam` then visit those rows only.
   */
  readonly touched?: TouchedRows;
}

/** A zeroed parameter (values and gradient in kernel memory, see `allocate`). */
export function createParameter(name: string, shape: readonly number[], dtype: DType): Parameter {
  const n = sizeOf(shape);
  return { name, shape: [...shape], data: allocate(dtype, n), grad: allocate(dtype, n) };
}

/**
 * A zeroed parameter whose gradient is written row by row (shape [rows, width] or [rows]), with its
 * `touched` rows tracked: the writers of its gradient mark what they write.
 */
export function createRowSparseParameter(name: string, shape: readonly number[], dtype: DType): Parameter {
  return { ...createParameter(name, shape, dtype), touched: new TouchedRows(shape[0]!, sizeOf(shape.slice(1))) };
}

/**
 * A zeroed array of the same dtype and length as `a`, in ordinary memory: for state that no matrix kernel
 * reads (optimiser moments, snapshots of the best parameters).
 */
export function zerosLike(a: FloatArray): FloatArray {
  return a instanceof Float32Array ? new Float32Array(a.length) : new Float64Array(a.length);
}

/** Σ of the parameters' element counts. */
export function countParameters(parameters: readonly Parameter[]): number {
  let n = 0;
  for (const p of parameters) n += p.data.length;
  return n;
}

/** Set every gradient to 0 (torch's `zero_grad(set_to_none=False)`): of a row-sparse one, the touched rows. */
export function zeroGradients(parameters: readonly Parameter[]): void {
  for (const p of parameters) {
    const touched = p.touched;
    if (touched === undefined || touched.all) p.grad.fill(0);
    else {
      const runs = touched.elementRuns();
      for (let i = 0; i < runs.length; i += 2) p.grad.fill(0, runs[i]!, runs[i]! + runs[i + 1]!);
    }
    touched?.clear();
  }
}
