import type { RecurrentGradients } from '../../numerics/recurrent/recurrent.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRU, LSTM, RNN, type Tensor } from '../../index.ts';
import type { DType, FloatArray } from '../../numerics/tensor.ts';
import { allocate } from '../../numerics/tensor.ts';

/** Written by test/fixtures/torch/make_rnn_fixtures.py (PyTorch, float64). */
interface TensorJson {
  shape: number[];
  data: number[];
}
interface Case {
  kind: 'rnn' | 'lstm' | 'gru';
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bias: boolean;
    batchFirst: boolean;
    bidirectional: boolean;
    nonlinearity?: 'tanh' | 'relu';
  };
  steps: number;
  batch: number;
  parameters: { name: string; shape: number[]; data: number[]; grad: number[] }[];
  x: TensorJson;
  h0?: TensorJson;
  c0?: TensorJson;
  output: TensorJson;
  hN: TensorJson;
  cN?: TensorJson;
  kH: number[];
  kC?: number[];
  loss: number;
  dx: number[];
  dh0?: number[];
  dc0?: number[];
}

const fixtures = JSON.parse(readFileSync(new URL('../fixtures/torch/rnn_layers.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

function tensor(t: TensorJson, dtype: DType): Tensor {
  const data = allocate(dtype, t.data.length);
  data.set(t.data);
  return { shape: [...t.shape], data };
}

function title(c: Case): string {
  const o = c.options;
  return [
    c.kind,
    o.nonlinearity,
    `H=${o.hiddenSize}`,
    `L=${o.numLayers}`,
    o.bidirectional && 'bidirectional',
    o.batchFirst && 'batchFirst',
    !o.bias && 'no bias',
    !c.h0 && 'zero initial state',
  ]
    .filter(Boolean)
    .join(' ');
}

/** Largest |ours − torch| / max(|torch|, floor) over the arrays. */
function maxRelativeError(ours: ArrayLike<number>, theirs: readonly number[], floor: number): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) {
    const e = Math.abs(ours[i]! - theirs[i]!) / Math.max(Math.abs(theirs[i]!), floor);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

/** Run one fixture case in our layers; compare every output and gradient. */
function check(c: Case, dtype: DType, tolerance: number, floor: number): void {
  const opts = { ...c.options, dtype };
  const layer = c.kind === 'rnn' ? new RNN(opts) : c.kind === 'lstm' ? new LSTM(opts) : new GRU(opts);
  const params = layer.namedParameters();
  expect(params.map((p) => p.name)).toEqual(c.parameters.map((p) => p.name));
  params.forEach((p, i) => {
    expect([...p.shape]).toEqual(c.parameters[i]!.shape);
    p.data.set(c.parameters[i]!.data);
  });
  const x = tensor(c.x, dtype);
  const h0 = c.h0 && tensor(c.h0, dtype);
  const c0 = c.c0 && tensor(c.c0, dtype);
  const result = layer instanceof LSTM ? layer.forward(x, h0, c0) : layer.forward(x, h0);
  expect(result.output.shape).toEqual(c.output.shape);
  expect(result.hN.shape).toEqual(c.hN.shape);
  const errors: Record<string, number> = {
    output: maxRelativeError(result.output.data, c.output.data, floor),
    hN: maxRelativeError(result.hN.data, c.hN.data, floor),
  };
  let loss = 0;
  for (const v of result.output.data) loss += v * v;
  result.hN.data.forEach((v, i) => {
    loss += v * c.kH[i]!;
  });
  const dOutput: Tensor = { shape: [...result.output.shape], data: result.output.data.map((v) => 2 * v) as FloatArray };
  const dHN: Tensor = tensor({ shape: c.hN.shape, data: c.kH }, dtype);
  layer.zeroGrad();
  let grads: RecurrentGradients;
  if (layer instanceof LSTM) {
    const cN = (result as unknown as { cN: Tensor }).cN;
    errors.cN = maxRelativeError(cN.data, c.cN!.data, floor);
    cN.data.forEach((v, i) => {
      loss += v * c.kC![i]!;
    });
    grads = layer.backward({ dOutput, dHN, dCN: tensor({ shape: c.hN.shape, data: c.kC! }, dtype) });
    const lstmGrads = grads as RecurrentGradients & { readonly dc0: Tensor };
    if (c.dc0) errors.dc0 = maxRelativeError(lstmGrads.dc0.data, c.dc0, floor);
  } else {
    grads = layer.backward({ dOutput, dHN });
  }
  errors.loss = Math.abs(loss - c.loss) / Math.max(Math.abs(c.loss), floor);
  errors.dx = maxRelativeError(grads.dx.data, c.dx, floor);
  if (c.dh0) errors.dh0 = maxRelativeError(grads.dh0.data, c.dh0, floor);
  params.forEach((p, i) => {
    errors[p.name] = maxRelativeError(p.grad, c.parameters[i]!.grad, floor);
  });
  for (const [what, e] of Object.entries(errors)) expect({ what, e }).toEqual({ what, e: expect.toSatisfy((v: number) => v <= tolerance) });
}

describe(`recurrent layers match PyTorch ${fixtures.torch}`, () => {
  for (const c of fixtures.cases) {
    it(`float64 within 1e-10 relative: ${title(c)}`, () => check(c, 'float64', 1e-10, Number.MIN_VALUE));
    it(`float32 within 1e-4 of max(|v|, 1e-2): ${title(c)}`, () => check(c, 'float32', 1e-4, 1e-2));
  }
});
