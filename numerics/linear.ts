import { UserError } from '../errors/user-error.ts';
import { addBias } from './bias.ts';
import { matmulTransB } from './matmul.ts';
import { positiveIntegerOption } from './layer-options.ts';
import { createParameter, type Parameter } from './parameter.ts';
import { dtypeOf, release, sizeOf, type DType, type Tensor } from './tensor.ts';
import { defaultGenerator } from './torch/default-generator.ts';
import { uniformFill } from './torch/distributions.ts';
import type { TorchGenerator } from './torch/generator.ts';
import { inverseSqrtBound, kaimingUniformBound, LINEAR_WEIGHT_A } from './torch/nn-init.ts';

/** torch.nn.Linear's constructor options, plus dtype and the generator to initialise from. */
export interface LinearOptions {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Add a learnt bias b. Default true. */
  readonly bias?: boolean;
  /** Default 'float32'. */
  readonly dtype?: DType;
  /** Default: the global generator (`manualSeed`). */
  readonly generator?: TorchGenerator;
}

/**
 * torch.nn.Linear: y = x·Wᵀ + b over the last axis, `weight` [out × in], `bias` [out]. Its parameters start as
 * torch's `reset_parameters` draws them (`torch/nn/modules/linear.py`): W by kaiming_uniform_(a = √5), that is
 * U(−1/√in, 1/√in) up to the rounding of the bound, then b ~ U(−1/√in, 1/√in), from the same generator.
 */
export class Linear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly dtype: DType;
  readonly weight: Parameter;
  readonly bias: Parameter | null;

  constructor(options: LinearOptions) {
    this.inFeatures = positiveIntegerOption('Linear', 'inFeatures', options.inFeatures);
    this.outFeatures = positiveIntegerOption('Linear', 'outFeatures', options.outFeatures);
    this.dtype = options.dtype ?? 'float32';
    this.weight = createParameter('weight', [this.outFeatures, this.inFeatures], this.dtype);
    this.bias = (options.bias ?? true) ? createParameter('bias', [this.outFeatures], this.dtype) : null;
    this.resetParameters(options.generator);
  }

  /** Draw W, then b, as torch does (fan_in = inFeatures). */
  resetParameters(generator: TorchGenerator = defaultGenerator()): void {
    const weightBound = kaimingUniformBound(this.inFeatures, LINEAR_WEIGHT_A);
    uniformFill(this.weight.data, -weightBound, weightBound, generator);
    if (this.bias) {
      const bound = inverseSqrtBound(this.inFeatures);
      uniformFill(this.bias.data, -bound, bound, generator);
    }
  }

  /** `weight`, then `bias`: torch's `named_parameters()`. */
  namedParameters(): readonly Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  /** y = x·Wᵀ + b for x of shape [..., in]: a new tensor [..., out] (an ordinary array). */
  forward(x: Tensor): Tensor {
    const last = x.shape[x.shape.length - 1];
    if (last !== this.inFeatures || x.data.length !== sizeOf(x.shape)) {
      throw new UserError(`Linear input must have shape [..., ${this.inFeatures}], got [${x.shape.join(', ')}]`);
    }
    if (dtypeOf(x.data) !== this.dtype) throw new UserError(`Linear input must be ${this.dtype}, got ${dtypeOf(x.data)}`);
    const rows = x.data.length / this.inFeatures;
    const shape = [...x.shape.slice(0, -1), this.outFeatures];
    const data = this.dtype === 'float32' ? new Float32Array(rows * this.outFeatures) : new Float64Array(rows * this.outFeatures);
    matmulTransB(x.data, this.weight.data, data, rows, this.inFeatures, this.outFeatures);
    if (this.bias) addBias(data, this.bias.data, rows, this.outFeatures);
    return { shape, data };
  }

  /** Give back the parameters' memory; the layer is unusable afterwards. */
  dispose(): void {
    for (const p of this.namedParameters()) {
      release(p.data);
      release(p.grad);
    }
  }
}
