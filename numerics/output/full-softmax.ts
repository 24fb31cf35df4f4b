import { addBias, biasGradient } from '../bias.ts';
import { softmaxCrossEntropy } from '../cross-entropy.ts';
import { matmul, matmulTransA, matmulTransB } from '../matmul.ts';
import { OwnedArrays } from '../owned-arrays.ts';
import { createParameter, type Parameter } from '../parameter.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../softmax.ts';
import { release, type DType, type FloatArray } from '../tensor.ts';
import type { OutputLayer } from './output-layer.ts';

/**
 * Rows of logits `logProbAt` computes at once: 256 × |V| keeps the product as fast as a longer one while the
 * buffer stays at 14 MB for Brown's |V| = 14,116 in float32, however many rows a scorer hands it.
 */
export const OUTPUT_ROWS = 256;

export interface FullSoftmaxShape {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly dtype: DType;
  /** Prefix of the parameters' names (`decoder` → `decoder.weight`, `decoder.bias`, as torch's nn.Linear). */
  readonly name: string;
}

/**
 * The full softmax, torch's `nn.Linear(K, |V|)` then `log_softmax`: logits y = z Wᵀ + b over the whole vocabulary,
 * W stored |V| × K. With `tied`, W is another layer's parameter (the embedding, Press & Wolf 2017) and only b is
 * this layer's own.
 */
export class FullSoftmax implements OutputLayer {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly parameters: readonly Parameter[];
  private readonly ownsWeight: boolean;
  private readonly scratch: OwnedArrays;
  private logits: FloatArray = new Float64Array(0);
  private capacity = 0;

  constructor(shape: FullSoftmaxShape, tied: Parameter | null = null) {
    const { vocabSize: V, inputSize: K, dtype, name } = shape;
    this.vocabSize = V;
    this.inputSize = K;
    this.ownsWeight = tied === null;
    this.weight = tied ?? createParameter(`${name}.weight`, [V, K], dtype);
    this.bias = createParameter(`${name}.bias`, [V], dtype);
    this.parameters = this.ownsWeight ? [this.weight, this.bias] : [this.bias];
    this.scratch = new OwnedArrays(dtype);
  }

  dispose(): void {
    this.scratch.releaseAll();
    for (const p of this.parameters) {
      release(p.data);
      release(p.grad);
    }
  }

  /** logits[rows × |V|] = z Wᵀ + b, in this layer's scratch (grown to the largest batch seen). */
  private scores(input: FloatArray, rows: number): FloatArray {
    const V = this.vocabSize;
    if (rows > this.capacity) {
      this.scratch.releaseAll();
      this.capacity = Math.max(rows, 2 * this.capacity);
      this.logits = this.scratch.take(this.capacity * V);
    }
    const logits = this.logits.subarray(0, rows * V);
    // The product overwrites, then b is added in one streaming pass: accumulating the product onto rows
    // preset to b reads back every tile of a C far larger than the caches (~40% slower at 1120 × 14116).
    matmulTransB(input, this.weight.data, logits, rows, this.inputSize, V, false);
    addBias(logits, this.bias.data, rows, V);
    return logits;
  }

  forwardBackward(input: FloatArray, targets: Int32Array, rows: number, gradScale: number, dInput: FloatArray): number {
    const V = this.vocabSize;
    const logits = this.scores(input, rows);
    // In place: the logits become dL/dlogits (the only |V|-sized array is the logits themselves).
    const loss = softmaxCrossEntropy(logits, targets, logits, rows, V, gradScale);
    matmulTransA(logits, input, this.weight.grad, V, rows, this.inputSize, true);
    biasGradient(logits, this.bias.grad, rows, V);
    matmul(logits, this.weight.data, dInput, rows, V, this.inputSize);
    return loss;
  }

  logProbAt(input: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    const K = this.inputSize;
    for (let from = 0; from < rows; from += OUTPUT_ROWS) {
      const n = Math.min(OUTPUT_ROWS, rows - from);
      const logits = this.scores(input.subarray(from * K, (from + n) * K), n);
      logSoftmaxAt(logits, targets.subarray(from, from + n), out.subarray(from, from + n), n, this.vocabSize);
    }
  }

  logDistribution(input: FloatArray, out: Float64Array): void {
    logSoftmaxRows(this.scores(input, 1), out, 1, this.vocabSize);
  }
}
