/** The package's public API. */
export type { DType, FloatArray, Tensor } from '../numerics/tensor.ts';
export type { RecurrentOptions, RNNOptions } from '../numerics/recurrent/options.ts';
export type { Parameter } from '../numerics/parameter.ts';
export type { RecurrentResult, RecurrentGradients } from '../numerics/recurrent/recurrent.ts';
export { RNN } from '../numerics/recurrent/rnn.ts';
export { LSTM } from '../numerics/recurrent/lstm.ts';
export { GRU } from '../numerics/recurrent/gru.ts';
