import { UserError } from '../../errors/user-error.ts';
import { positiveIntegerOption } from '../layer-options.ts';
import type { DType } from '../tensor.ts';
import { defaultGenerator } from '../torch/default-generator.ts';
import { TorchGenerator } from '../torch/generator.ts';

/** The constructor options of torch.nn.RNN / LSTM / GRU, with the same names and defaults, plus dtype, generator and seed. */
export interface RecurrentOptions {
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Stacked layers; layer l > 0 reads the (dropped-out) output of layer l − 1. Default 1. */
  readonly numLayers?: number;
  /** Add b_ih and b_hh. Default true. */
  readonly bias?: boolean;
  /** Input and output are (B, T, ·) instead of (T, B, ·). Default false, as in PyTorch. */
  readonly batchFirst?: boolean;
  /** Dropout probability on the output of every layer but the last, in training mode only. Default 0. */
  readonly dropout?: number;
  /** A second direction that reads the sequence backwards; outputs are concatenated [forward, reverse]. */
  readonly bidirectional?: boolean;
  /** Default 'float32'. */
  readonly dtype?: DType;
  /**
   * Draw the initial parameters from this torch generator, in torch's order and distribution (issue 16).
   * Default: the global generator (`manualSeed`), unless `seed` is given.
   */
  readonly generator?: TorchGenerator;
  /**
   * Seed of the layer's own `Random` stream (xoroshiro128+), which draws the dropout masks (default 0) and, when
   * `seed` is given without `generator`, the initial parameters too, as before issue 16.
   */
  readonly seed?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** h_t = nonlinearity(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh). Default 'tanh'. */
  readonly nonlinearity?: 'tanh' | 'relu';
}

/** Where the initial parameters come from: a seed of the project's `Random` stream, or a torch generator. */
export type ParameterSource = number | TorchGenerator;

export type ResolvedOptions = Required<Omit<RecurrentOptions, 'generator'>> & { readonly initialization: ParameterSource };

function positiveInteger(name: string, v: number): number {
  return positiveIntegerOption('recurrent layer', name, v);
}

export function resolveOptions(o: RecurrentOptions): ResolvedOptions {
  const dropout = o.dropout ?? 0;
  if (!(dropout >= 0 && dropout < 1)) {
    throw new UserError(`recurrent layer option "dropout" must be in [0, 1), got ${String(o.dropout)}`);
  }
  const dtype = o.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new UserError(`recurrent layer option "dtype" must be 'float32' or 'float64', got ${String(dtype)}`);
  }
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed)) throw new UserError(`recurrent layer option "seed" must be an integer, got ${String(seed)}`);
  if (o.generator !== undefined && !(o.generator instanceof TorchGenerator)) {
    throw new UserError('recurrent layer option "generator" must be a TorchGenerator');
  }
  const initialization = o.generator ?? (o.seed === undefined ? defaultGenerator() : seed);
  return {
    inputSize: positiveInteger('inputSize', o.inputSize),
    hiddenSize: positiveInteger('hiddenSize', o.hiddenSize),
    numLayers: positiveInteger('numLayers', o.numLayers ?? 1),
    bias: o.bias ?? true,
    batchFirst: o.batchFirst ?? false,
    dropout,
    bidirectional: o.bidirectional ?? false,
    dtype,
    seed,
    initialization,
  };
}
