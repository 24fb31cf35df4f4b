import { describe, it } from 'vitest';
import { GRU, LSTM, RNN, type RecurrentOptions, type RNNOptions, type Tensor } from '../../index.ts';
import type { RecurrentLayer } from '../../numerics/recurrent/recurrent.ts';
import { expectGradient, randomArray, weightedSum } from '../numerics/finite-difference.ts';

type Kind = 'rnn' | 'lstm' | 'gru';

const CONFIGS: [Kind, Partial<RNNOptions>][] = [
  ['rnn', { nonlinearity: 'tanh', numLayers: 2, bidirectional: true }],
  ['rnn', { nonlinearity: 'relu', numLayers: 2, batchFirst: true }],
  ['lstm', { numLayers: 2, bidirectional: true }],
  ['lstm', { batchFirst: true, bias: false }],
  ['gru', { numLayers: 2, bidirectional: true, batchFirst: true }],
  ['gru', {}],
];

function make(kind: Kind, options: RecurrentOptions & RNNOptions): RecurrentLayer {
  return kind === 'rnn' ? new RNN(options) : kind === 'lstm' ? new LSTM(options) : new GRU(options);
}

/**
 * L = Σ kY ⊙ output + Σ kH ⊙ hN (+ Σ kC ⊙ cN) with fixed random k: its gradient with respect to every
 * parameter, the input and the initial states, by BPTT and by central differences over a fresh forward.
 */
function check(kind: Kind, extra: Partial<RNNOptions>): void {
  const options = { inputSize: 3, hiddenSize: 4, dtype: 'float64' as const, seed: 5, ...extra };
  const layer = make(kind, options);
  const T = 4;
  const B = 2;
  const dirs = options.bidirectional ? 2 : 1;
  const L = options.numLayers ?? 1;
  const xShape = options.batchFirst ? [B, T, 3] : [T, B, 3];
  const x: Tensor = { shape: xShape, data: randomArray(T * B * 3, 1) };
  const stateShape = [L * dirs, B, 4];
  const h0: Tensor = { shape: stateShape, data: randomArray(L * dirs * B * 4, 2, -0.5, 0.5) };
  const c0: Tensor = { shape: stateShape, data: randomArray(L * dirs * B * 4, 3, -0.5, 0.5) };
  const kY = randomArray(T * B * 4 * dirs, 4);
  const kH = randomArray(L * dirs * B * 4, 5);
  const kC = randomArray(L * dirs * B * 4, 6);
  const run = (): { output: Tensor; hN: Tensor; cN?: Tensor } => (layer instanceof LSTM ? layer.forward(x, h0, c0) : (layer as RNN | GRU).forward(x, h0));
  const loss = (): number => {
    const r = run();
    return weightedSum(r.output.data, kY) + weightedSum(r.hN.data, kH) + (r.cN ? weightedSum(r.cN.data, kC) : 0);
  };
  run();
  layer.zeroGrad();
  const dOutput: Tensor = { shape: [...(options.batchFirst ? [B, T] : [T, B]), 4 * dirs], data: kY };
  const dHN: Tensor = { shape: stateShape, data: kH };
  const grads =
    layer instanceof LSTM ? layer.backward({ dOutput, dHN, dCN: { shape: stateShape, data: kC } }) : (layer as RNN | GRU).backward({ dOutput, dHN });
  // Copies: the gradients live in the layer's workspace, which the finite differences overwrite.
  const dx = Float64Array.from(grads.dx.data);
  const dh0 = Float64Array.from(grads.dh0.data);
  const dc0 = 'dc0' in grads ? Float64Array.from((grads as { dc0: Tensor }).dc0.data) : null;
  for (const p of layer.namedParameters()) expectGradient(loss, p.data as Float64Array, Float64Array.from(p.grad), 1e-7);
  expectGradient(loss, x.data as Float64Array, dx, 1e-7);
  expectGradient(loss, h0.data as Float64Array, dh0, 1e-7);
  if (dc0) expectGradient(loss, c0.data as Float64Array, dc0, 1e-7);
}

describe('recurrent layer gradients match central differences', () => {
  for (const [kind, extra] of CONFIGS) it(`${kind} ${JSON.stringify(extra)}`, () => check(kind, extra));
});
