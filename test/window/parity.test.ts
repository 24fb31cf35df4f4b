import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../numerics/adam.ts';
import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { SGD } from '../../numerics/sgd.ts';
import type { DType, FloatArray } from '../../numerics/tensor.ts';
import { backward, forward, WindowNetwork, WindowWorkspace } from '../../models/window/network.ts';

/** Written by test/fixtures/torch/make_window_fixture.py (PyTorch 1.13, float64). */
interface Case {
  V: number;
  n: number;
  m: number;
  h: number;
  direct: boolean;
  batch: number;
  parameters: { name: string; shape: number[]; data: number[]; grad: number[] }[];
  context: number[];
  target: number[];
  logits: number[];
  loss: number;
  adam: { options: { lr: number; weight_decay: number }; after: number[][] };
  sgd: { options: { lr: number; momentum: number; weight_decay: number }; after: number[][] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/window.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

/** torch keeps U and W as nn.Linear weights [|V| × k]; the network stores their transposes [k × |V|]. */
function toOurLayout(name: string, shape: number[], values: number[]): number[] {
  if (name !== 'U' && name !== 'W') return values;
  const [rows, cols] = shape as [number, number];
  const out = new Array<number>(values.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j]!;
  return out;
}

/** Largest |ours − torch| / max(|torch|, floor). */
function worstError(ours: FloatArray, theirs: readonly number[], floor: number): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!) / Math.max(Math.abs(theirs[i]!), floor));
  return worst;
}

function setUp(c: Case, dtype: DType): { net: WindowNetwork; ws: WindowWorkspace } {
  const net = new WindowNetwork({ vocabSize: c.V, n: c.n, m: c.m, h: c.h, direct: c.direct, dtype });
  const ours = net.parameters();
  expect(ours.map((p) => p.name)).toEqual(c.parameters.map((p) => p.name));
  ours.forEach((p, i) => {
    p.data.set(toOurLayout(p.name, c.parameters[i]!.shape, c.parameters[i]!.data));
  });
  const ws = new WindowWorkspace(net, c.batch);
  ws.contexts.set(c.context);
  ws.targets.set(c.target);
  return { net, ws };
}

const title = (c: Case): string => `V=${c.V} n=${c.n} m=${c.m} h=${c.h}${c.direct ? ' direct' : ''} B=${c.batch}`;

describe.each([
  ['float64', 1e-9, 1e-12],
  ['float32', 1e-4, 1e-2],
] as [DType, number, number][])('window model vs PyTorch in %s', (dtype, tolerance, floor) => {
  it.each(fixture.cases.map((c) => [title(c), c] as const))('%s: logits, loss, every gradient, one Adam and one SGD step', (_t, c) => {
    const { net, ws } = setUp(c, dtype);
    forward(ws, c.batch);
    expect(worstError(ws.y.subarray(0, c.batch * c.V), c.logits, floor)).toBeLessThan(tolerance);
    const loss = softmaxCrossEntropy(ws.y, ws.targets, ws.y, c.batch, c.V, 1 / c.batch) / c.batch;
    expect(Math.abs(loss - c.loss) / Math.max(c.loss, floor)).toBeLessThan(tolerance);
    backward(ws, c.batch);
    net.parameters().forEach((p, i) => {
      const t = c.parameters[i]!;
      const err = worstError(p.grad, toOurLayout(p.name, t.shape, t.grad), floor);
      expect(err, `gradient of ${p.name}`).toBeLessThan(tolerance);
    });

    const grads = net.parameters().map((p) => Float64Array.from(p.grad));
    const initial = net.parameters().map((p) => Float64Array.from(p.data));
    const steps: [string, () => void, number[][]][] = [
      ['Adam', () => new Adam(net.parameters(), { lr: c.adam.options.lr, weightDecay: c.adam.options.weight_decay }).step(), c.adam.after],
      [
        'SGD',
        () => new SGD(net.parameters(), { lr: c.sgd.options.lr, momentum: c.sgd.options.momentum, weightDecay: c.sgd.options.weight_decay }).step(),
        c.sgd.after,
      ],
    ];
    for (const [name, step, after] of steps) {
      net.parameters().forEach((p, i) => {
        p.data.set(initial[i]!);
        p.grad.set(grads[i]!);
      });
      step();
      net.parameters().forEach((p, i) => {
        const err = worstError(p.data, toOurLayout(p.name, c.parameters[i]!.shape, after[i]!), floor);
        expect(err, `${name} step of ${p.name}`).toBeLessThan(tolerance);
      });
    }
  });
});
