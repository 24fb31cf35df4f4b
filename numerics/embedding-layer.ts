import { UserError } from '../errors/user-error.ts';
import { embeddingForward } from './embedding.ts';
import { positiveIntegerOption } from './layer-options.ts';
import { createParameter, type Parameter } from './parameter.ts';
import { release, sizeOf, type DType, type Tensor } from './tensor.ts';
import { defaultGenerator } from './torch/default-generator.ts';
import { normalFill } from './torch/distributions.ts';
import type { TorchGenerator } from './torch/generator.ts';

/** torch.nn.Embedding's constructor options, plus dtype and the generator to initialise from. */
export interface EmbeddingOptions {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** A row kept at 0 (torch's `padding_idx`; negative counts from the end). Default: none. */
  readonly paddingIdx?: number;
  /** Default 'float32'. */
  readonly dtype?: DType;
  /** Default: the global generator (`manualSeed`). */
  readonly generator?: TorchGenerator;
}

/**
 * torch.nn.Embedding: a table `weight` [numEmbeddings × embeddingDim] looked up by id. It starts as torch's
 * `reset_parameters` draws it (`torch/nn/modules/sparse.py`): `normal_(weight)`, N(0, 1) in torch's order,
 * then the padding row set to 0.
 */
export class Embedding {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly dtype: DType;
  readonly weight: Parameter;

  constructor(options: EmbeddingOptions) {
    this.numEmbeddings = positiveIntegerOption('Embedding', 'numEmbeddings', options.numEmbeddings);
    this.embeddingDim = positiveIntegerOption('Embedding', 'embeddingDim', options.embeddingDim);
    this.paddingIdx = resolvePaddingIdx(options.paddingIdx, this.numEmbeddings);
    this.dtype = options.dtype ?? 'float32';
    this.weight = createParameter('weight', [this.numEmbeddings, this.embeddingDim], this.dtype);
    this.resetParameters(options.generator);
  }

  /** N(0, 1) over the whole table, then the padding row zeroed. */
  resetParameters(generator: TorchGenerator = defaultGenerator()): void {
    normalFill(this.weight.data, 0, 1, generator);
    if (this.paddingIdx !== null) {
      const start = this.paddingIdx * this.embeddingDim;
      this.weight.data.fill(0, start, start + this.embeddingDim);
    }
  }

  namedParameters(): readonly Parameter[] {
    return [this.weight];
  }

  /** The rows of `ids` (shape `shape`, default [ids.length]): a new tensor [...shape, embeddingDim]. */
  forward(ids: Int32Array | readonly number[], shape: readonly number[] = [ids.length]): Tensor {
    const index = Int32Array.from(ids);
    if (sizeOf(shape) !== index.length) throw new UserError(`Embedding ids of shape [${shape.join(', ')}] must number ${sizeOf(shape)}, got ${index.length}`);
    for (const id of index) {
      if (id < 0 || id >= this.numEmbeddings) throw new UserError(`Embedding id ${id} is outside [0, ${this.numEmbeddings})`);
    }
    const D = this.embeddingDim;
    const data = this.dtype === 'float32' ? new Float32Array(index.length * D) : new Float64Array(index.length * D);
    embeddingForward(this.weight.data, index, data, index.length, D);
    return { shape: [...shape, D], data };
  }

  dispose(): void {
    release(this.weight.data);
    release(this.weight.grad);
  }
}

function resolvePaddingIdx(paddingIdx: number | undefined, n: number): number | null {
  if (paddingIdx === undefined) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= n || paddingIdx < -n) {
    throw new UserError(`Embedding option "paddingIdx" must be an integer in [−${n}, ${n}), got ${String(paddingIdx)}`);
  }
  return paddingIdx < 0 ? paddingIdx + n : paddingIdx;
}
