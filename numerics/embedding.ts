import type { Parameter } from './parameter.ts';
import type { FloatArray } from './tensor.ts';

/**
 * Embedding lookup (torch.nn.Embedding) with a sparse backward: only the rows that were looked up are read,
 * accumulated into or cleared, never the whole |V| × dim table.
 */

/** out[i, :] = table[ids[i], :] for i < count; out is [count × dim]. */
export function embeddingForward(table: FloatArray, ids: Int32Array, out: FloatArray, count: number, dim: number): void {
  for (let i = 0; i < count; i++) {
    const row = ids[i]! * dim;
    out.set(table.subarray(row, row + dim), i * dim);
  }
}

/** gradTable[ids[i], :] += dOut[i, :] for i < count (a repeated id accumulates every occurrence). */
export function embeddingBackward(gradTable: FloatArray, ids: Int32Array, dOut: FloatArray, count: number, dim: number): void {
  for (let i = 0; i < count; i++) {
    const row = ids[i]! * dim;
    const src = i * dim;
    for (let j = 0; j < dim; j++) gradTable[row + j] = gradTable[row + j]! + dOut[src + j]!;
  }
}

/**
 * `embeddingBackward` into an embedding table's own gradient, marking the rows it writes when the table is
 * row-sparse (`createRowSparseParameter`): the one way the models write an embedding gradient, so that no writer
 * can leave a row with a gradient unmarked.
 */
export function embeddingParameterBackward(table: Parameter, ids: Int32Array, dOut: FloatArray, count: number, dim: number): void {
  embeddingBackward(table.grad, ids, dOut, count, dim);
  table.touched?.markIds(ids, count);
}

/** gradTable[ids[i], :] = 0: clears just the rows a backward touched. */
export function zeroEmbeddingRows(gradTable: FloatArray, ids: Int32Array, count: number, dim: number): void {
  for (let i = 0; i < count; i++) {
    const row = ids[i]! * dim;
    gradTable.fill(0, row, row + dim);
  }
}
