import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClassSoftmax } from '../../numerics/output/class-softmax.ts';
import { classesFromOrder } from '../../numerics/output/word-classes.ts';
import type { DType, FloatArray } from '../../numerics/tensor.ts';

/** Written by test/fixtures/torch/make_class_softmax_fixture.py (PyTorch 1.13, float64; format at the top of the script). */
interface Case {
  name: string;
  V: number;
  K: number;
  C: number;
  rows: number;
  classOf: number[];
  order: number[];
  classStarts: number[];
  classWeight: number[];
  classBias: number[];
  wordWeight: number[];
  wordBias: number[];
  input: number[];
  targets: number[];
  logProb: number[];
  logDistribution: number[];
  loss: number;
  grad: { input: number[]; classWeight: number[]; classBias: number[]; wordWeight: number[]; wordBias: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/class-softmax.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

/** Largest |ours − torch| / max(|torch|, floor). */
function worstError(ours: ArrayLike<number>, theirs: readonly number[], floor: number): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs[i]!) / Math.max(Math.abs(theirs[i]!), floor));
  return worst;
}

describe.each([
  ['float64', 1e-12, 1e-12],
  ['float32', 1e-4, 1e-2],
] as [DType, number, number][])('class-factored softmax vs PyTorch in %s', (dtype, tolerance, floor) => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s: log-probabilities, distribution, loss and every gradient', (_name, c) => {
    const classes = classesFromOrder(Int32Array.from(c.order), Int32Array.from(c.classStarts));
    expect(Array.from(classes.classOf)).toEqual(c.classOf);
    const layer = new ClassSoftmax({ vocabSize: c.V, inputSize: c.K, numClasses: c.C, dtype, name: 'decoder' }, classes);
    layer.classWeight.data.set(c.classWeight);
    layer.classBias.data.set(c.classBias);
    layer.wordWeight.data.set(c.wordWeight);
    layer.wordBias.data.set(c.wordBias);
    const input: FloatArray = dtype === 'float32' ? Float32Array.from(c.input) : Float64Array.from(c.input);
    const targets = Int32Array.from(c.targets);

    const lp = new Float64Array(c.rows);
    layer.logProbAt(input, targets, c.rows, lp);
    expect(worstError(lp, c.logProb, floor)).toBeLessThan(tolerance);
    const dist = new Float64Array(c.V);
    layer.logDistribution(input.subarray(0, c.K), dist);
    expect(worstError(dist, c.logDistribution, floor)).toBeLessThan(tolerance);

    const dInput = dtype === 'float32' ? new Float32Array(c.rows * c.K) : new Float64Array(c.rows * c.K);
    const loss = layer.forwardBackward(input, targets, c.rows, 1 / c.rows, dInput) / c.rows;
    expect(Math.abs(loss - c.loss) / c.loss).toBeLessThan(tolerance);
    expect(worstError(dInput, c.grad.input, floor), 'gradient of the input').toBeLessThan(tolerance);
    for (const [name, p] of [
      ['classWeight', layer.classWeight],
      ['classBias', layer.classBias],
      ['wordWeight', layer.wordWeight],
      ['wordBias', layer.wordBias],
    ] as const) {
      expect(worstError(p.grad, c.grad[name], floor), `gradient of ${name}`).toBeLessThan(tolerance);
    }
  });
});
