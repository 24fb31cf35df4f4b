import { UserError } from '../../errors/user-error.ts';
import type { DType } from '../tensor.ts';

/** The constructor options of torch.nn.RNN / LSTM / GRU, with the same names and defaults, plus dtype and seed. */
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
  /** Seed of the parameter initialisation and of the dropout masks. Default 0. */
  readonly seed?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** h_t = nonlinearity(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh). Default 'tanh'. */
  readonly nonlinearity?: 'tanh' | 'relu';
}

export type ResolvedOptions = Required<RecurrentOptions>;

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new UserError(`recurrent layer option "${name}" must be an integer ≥ 1, got ${String(v)}`);
  return v;
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
  };
}
