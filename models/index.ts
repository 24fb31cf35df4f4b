/** The package's public API. */
export type { DType, FloatArray, Tensor } from './neural/tensor.ts';
export type { RecurrentOptions, RNNOptions } from './rnn/layers/options.ts';
export type { Parameter } from './neural/parameter.ts';
export type { RecurrentResult, RecurrentGradients } from './rnn/layers/recurrent.ts';
export { RNN } from './rnn/layers/rnn.ts';
export { LSTM } from './rnn/layers/lstm.ts';
export { GRU } from './rnn/layers/gru.ts';
