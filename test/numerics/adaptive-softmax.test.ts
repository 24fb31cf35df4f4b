import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import * as api from '../../index.ts';
import { IGNORE_INDEX } from '../../numerics/cross-entropy.ts';
import { adaptiveShape, defaultCutoffs, pythonFloorDivide } from '../../numerics/output/adaptive-shape.ts';
import { AdaptiveSoftmax, type AdaptiveSoftmaxOptions } from '../../numerics/output/adaptive-softmax.ts';
import { zeroGradients } from '../../numerics/parameter.ts';
import { Random } from '../../numerics/random.ts';
import { allocate, type DType, type FloatArray } from '../../numerics/tensor.ts';
import { expectGradient, randomArray } from './finite-difference.ts';

/** Written by test/fixtures/torch/make_adaptive_softmax_fixture.py (nn.AdaptiveLogSoftmaxWithLoss, float64). */
interface Case {
  name: string;
  inFeatures: number;
  nClasses: number;
  cutoffs: number[];
  divValue: number;
  headBias: boolean;
  rows: number;
  parameters: { name: string; shape: number[]; data: number[]; grad: number[] }[];
  input: number[];
  inputGrad: number[];
  targets: number[];
  output: number[];
  loss: number;
  logProb: number[];
  predict: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/adaptive-softmax.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

/** Largest |ours − torch| / max(|torch|, floor). */
function worstError(ours: ArrayLike<number>, theirs: ArrayLike<number>, floor: number): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) {
    const e = Math.abs(ours[i]! - theirs[i]!) / Math.max(Math.abs(theirs[i]!), floor);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

function array(dtype: DType, values: ArrayLike<number>): FloatArray {
  const a = allocate(dtype, values.length);
  a.set(values);
  return a;
}

/** The same arrays under `prefix` + name. */
function renamed(arrays: Record<string, FloatArray>, prefix: string): Record<string, FloatArray> {
  return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [prefix + k, v]));
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

function caseOptions(c: Case, dtype: DType): AdaptiveSoftmaxOptions {
  return { vocabSize: c.nClasses, inputSize: c.inFeatures, cutoffs: c.cutoffs, divValue: c.divValue, headBias: c.headBias, dtype };
}

/** Run one fixture case through the layer and return every quantity's worst error against torch. */
function parityErrors(c: Case, dtype: DType, floor: number): Record<string, number> {
  const layer = AdaptiveSoftmax.fromArrays(caseOptions(c, dtype), Object.fromEntries(c.parameters.map((p) => [p.name, p.data])));
  expect(layer.parameters.map((p) => [p.name, [...p.shape]])).toEqual(c.parameters.map((p) => [p.name, p.shape]));
  const I = c.inFeatures;
  const input = array(dtype, c.input);
  const targets = Int32Array.from(c.targets);
  const errors: Record<string, number> = {};

  const dInput = allocate(dtype, c.rows * I);
  const sum = layer.forwardBackward(input, targets, c.rows, 1 / c.rows, dInput);
  errors.loss = Math.abs(sum / c.rows - c.loss) / Math.max(Math.abs(c.loss), floor);
  errors.inputGrad = worstError(dInput, c.inputGrad, floor);
  layer.parameters.forEach((p, i) => {
    errors[`${p.name}.grad`] = worstError(p.grad, c.parameters[i]!.grad, floor);
  });

  const output = new Float64Array(c.rows);
  layer.logProbAt(input, targets, c.rows, output);
  errors.output = worstError(output, c.output, floor);

  const V = c.nClasses;
  const logProb = new Float64Array(2 * V);
  for (let r = 0; r < 2; r++) layer.logDistribution(input.subarray(r * I, (r + 1) * I), logProb.subarray(r * V, (r + 1) * V));
  errors.logProb = worstError(logProb, c.logProb, floor);

  // torch's predict is the argmax of log_prob: ours, read off logDistribution, must pick the same words.
  const row = new Float64Array(V);
  const predict = c.targets.map((_, r) => {
    layer.logDistribution(input.subarray(r * I, (r + 1) * I), row);
    return argmax(row);
  });
  expect(predict).toEqual(c.predict);
  layer.dispose();
  return errors;
}

describe(`AdaptiveSoftmax matches nn.AdaptiveLogSoftmaxWithLoss of PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    it(`float64 within 1e-10 relative: ${c.name}`, () => {
      for (const [what, e] of Object.entries(parityErrors(c, 'float64', Number.MIN_VALUE)))
        expect({ what, e }).toEqual({ what, e: expect.toSatisfy((v: number) => v <= 1e-10) });
    });
    it(`float32 within 1e-4 of max(|v|, 1e-2): ${c.name}`, () => {
      for (const [what, e] of Object.entries(parityErrors(c, 'float32', 1e-2)))
        expect({ what, e }).toEqual({ what, e: expect.toSatisfy((v: number) => v <= 1e-4) });
    });
  }

  it('a cluster no target reaches is not computed: NaN weights there change nothing', () => {
    const c = fixture.cases.find((k) => k.name === 'div2-bias')!;
    // Its targets avoid the second cluster [30, 50): poisoning that cluster's weights must not reach the loss or any gradient.
    expect(c.targets.every((t) => t < 30)).toBe(true);
    const arrays = Object.fromEntries(c.parameters.map((p) => [p.name, p.name.startsWith('tail.1.') ? p.data.map(() => NaN) : p.data]));
    const layer = AdaptiveSoftmax.fromArrays(caseOptions(c, 'float64'), arrays);
    const input = Float64Array.from(c.input);
    const dInput = new Float64Array(input.length);
    const loss = layer.forwardBackward(input, Int32Array.from(c.targets), c.rows, 1 / c.rows, dInput);
    expect(loss / c.rows).toBeCloseTo(c.loss, 12);
    expect(dInput.every(Number.isFinite)).toBe(true);
    for (const p of layer.parameters) expect(p.grad.every((g) => g === 0 || (Number.isFinite(g) && !p.name.startsWith('tail.1.')))).toBe(true);
    const out = new Float64Array(c.rows);
    layer.logProbAt(input, Int32Array.from(c.targets), c.rows, out);
    expect(worstError(out, c.output, Number.MIN_VALUE)).toBeLessThan(1e-10);
  });
});

/** A float64 layer with three clusters, a head bias and weights 3× torch's default scale (softmaxes far from uniform). */
function testLayer(dtype: DType = 'float64'): AdaptiveSoftmax {
  const layer = AdaptiveSoftmax.create({ vocabSize: 40, inputSize: 12, cutoffs: [6, 14, 26], divValue: 2, headBias: true, dtype });
  layer.initialize(new Random(7));
  for (const p of layer.parameters) for (let i = 0; i < p.data.length; i++) p.data[i] = 3 * p.data[i]!;
  return layer;
}
/** Head, every cluster, repeats, and one padding row. */
const TARGETS = Int32Array.from([0, 5, 6, 13, 14, 25, 26, 39, 2, 30, IGNORE_INDEX, 13, 20]);
const ROWS = TARGETS.length;

describe('AdaptiveSoftmax gradients (central differences, float64)', () => {
  const layer = testLayer();
  const I = layer.inputSize;
  const input = randomArray(ROWS * I, 11, -2, 2);
  /** −Σ ln P(target | row) over the non-padding rows, through the scoring path (no gradient is touched). */
  const scored = Int32Array.from(TARGETS.map((t) => (t === IGNORE_INDEX ? 0 : t)));
  const loss = (): number => {
    const out = new Float64Array(ROWS);
    layer.logProbAt(input, scored, ROWS, out);
    let s = 0;
    for (let r = 0; r < ROWS; r++) if (TARGETS[r] !== IGNORE_INDEX) s -= out[r]!;
    return s;
  };
  zeroGradients(layer.parameters);
  const dInput = new Float64Array(ROWS * I);
  const returned = layer.forwardBackward(input, TARGETS, ROWS, 1, dInput);
  const grads = Object.fromEntries(layer.parameters.map((p) => [p.name, Float64Array.from(p.grad)]));

  it('forwardBackward returns the summed loss of the non-padding rows, which logProbAt gives too', () => {
    expect(returned).toBeGreaterThan(0);
    expect(Math.abs(returned - loss())).toBeLessThan(1e-12 * returned);
  });

  it('the padding row has no input gradient', () => {
    const r = TARGETS.indexOf(IGNORE_INDEX);
    expect(dInput.subarray(r * I, (r + 1) * I).every((g) => g === 0)).toBe(true);
  });

  // The summed loss is about 87, so at the default ε = 1e-6 its rounding (~1e-14 / ε) is the larger error; ε = 1e-5 balances it with the truncation.
  const eps = 1e-5;
  it('input', () => {
    expectGradient(loss, input, dInput, 1e-8, eps);
  });

  for (const p of layer.parameters) {
    it(p.name, () => {
      expectGradient(loss, p.data as Float64Array, grads[p.name]!, 1e-8, eps);
    });
  }
});

describe('AdaptiveSoftmax training pass', () => {
  it('scales by gradScale, accumulates into grad, and allows dInput to be the input', () => {
    const layer = testLayer();
    const I = layer.inputSize;
    const input = randomArray(ROWS * I, 12, -2, 2);
    const dInput = new Float64Array(ROWS * I);
    zeroGradients(layer.parameters);
    const loss = layer.forwardBackward(input, TARGETS, ROWS, 1, dInput);
    const once = layer.parameters.map((p) => Float64Array.from(p.grad));
    const scaledInput = new Float64Array(ROWS * I);
    // Second call with gradScale 0.25 adds a quarter of the same gradient.
    expect(layer.forwardBackward(input, TARGETS, ROWS, 0.25, scaledInput)).toBe(loss);
    for (const [i, p] of layer.parameters.entries())
      expect(
        worstError(
          p.grad,
          once[i]!.map((g) => 1.25 * g),
          1e-12,
        ),
      ).toBeLessThan(1e-13);
    expect(
      worstError(
        scaledInput,
        dInput.map((g) => 0.25 * g),
        1e-12,
      ),
    ).toBeLessThan(1e-13);
    const inPlace = Float64Array.from(input);
    layer.forwardBackward(inPlace, TARGETS, ROWS, 1, inPlace);
    expect(worstError(inPlace, dInput, 1e-12)).toBeLessThan(1e-13);
    layer.dispose();
  });

  it('refuses a target outside the vocabulary before touching any gradient', () => {
    const layer = testLayer();
    zeroGradients(layer.parameters);
    const input = randomArray(2 * layer.inputSize, 13);
    const d = new Float64Array(input.length);
    expect(() => layer.forwardBackward(input, Int32Array.from([3, 40]), 2, 1, d)).toThrow(RangeError);
    expect(() => layer.logProbAt(input, Int32Array.from([IGNORE_INDEX, 1]), 2, new Float64Array(2))).toThrow(RangeError);
    expect(layer.parameters.every((p) => p.grad.every((g) => g === 0))).toBe(true);
    layer.dispose();
  });

  it('gives the same results after a larger batch has grown its buffers (no state leaks between calls)', () => {
    const big = testLayer();
    const fresh = testLayer();
    const I = big.inputSize;
    const input = randomArray(ROWS * I, 14, -2, 2);
    const few = 4;
    const scored = TARGETS.map((t) => (t === IGNORE_INDEX ? 1 : t));
    big.forwardBackward(input, TARGETS, ROWS, 1, new Float64Array(ROWS * I));
    big.logProbAt(input, scored, ROWS, new Float64Array(ROWS));
    for (const layer of [big, fresh]) zeroGradients(layer.parameters);
    const results = [big, fresh].map((layer) => {
      const d = new Float64Array(few * I);
      const loss = layer.forwardBackward(input, TARGETS.subarray(3), few, 1, d.fill(0));
      const out = new Float64Array(few);
      layer.logProbAt(input, scored.subarray(3), few, out);
      return { loss, d, out, grads: layer.parameters.map((p) => [...p.grad]) };
    });
    expect(results[0]).toEqual(results[1]);
    big.dispose();
    fresh.dispose();
  });
});

describe('AdaptiveSoftmax is a normalised distribution', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const tolerance = dtype === 'float64' ? 1e-12 : 1e-6;
    it(`${dtype}: Σ_w exp(logDistribution) = 1 within ${tolerance}, and logProbAt gives its entries`, () => {
      const layer = testLayer(dtype);
      const { vocabSize: V, inputSize: I } = layer;
      const rows = randomArray(3 * I, 15, -2, 2);
      const dist = new Float64Array(V);
      const every = Int32Array.from({ length: V }, (_, w) => w);
      for (let r = 0; r < 3; r++) {
        const row = array(dtype, rows.subarray(r * I, (r + 1) * I));
        layer.logDistribution(row, dist);
        let sum = 0;
        for (const l of dist) sum += Math.exp(l);
        expect(Math.abs(sum - 1)).toBeLessThan(tolerance);
        // The same row V times, each with another word as its target: the scoring path over the whole vocabulary.
        const repeated = allocate(dtype, V * I);
        for (let w = 0; w < V; w++) repeated.set(row, w * I);
        const at = new Float64Array(V);
        layer.logProbAt(repeated, every, V, at);
        expect(worstError(at, dist, 1)).toBeLessThan(dtype === 'float64' ? 1e-14 : 1e-6);
      }
      layer.dispose();
    });
  }
});

describe('AdaptiveSoftmax in float32 equals float64 within float32 rounding', () => {
  it('loss, every gradient, the input gradient, logProbAt and logDistribution within 1e-4 of max(|v|, 1e-2)', () => {
    const f64 = testLayer('float64');
    const f32 = AdaptiveSoftmax.fromArrays({ ...f64.description, dtype: 'float32' }, f64.namedArrays());
    expect(f32.dtype).toBe('float32');
    const I = f64.inputSize;
    const input = randomArray(ROWS * I, 16, -2, 2);
    const scored = TARGETS.map((t) => (t === IGNORE_INDEX ? 4 : t));
    const run = (layer: AdaptiveSoftmax) => {
      const x = array(layer.dtype, input);
      const d = allocate(layer.dtype, ROWS * I);
      zeroGradients(layer.parameters);
      const loss = layer.forwardBackward(x, TARGETS, ROWS, 1 / ROWS, d);
      const at = new Float64Array(ROWS);
      layer.logProbAt(x, scored, ROWS, at);
      const dist = new Float64Array(layer.vocabSize);
      layer.logDistribution(x.subarray(2 * I, 3 * I), dist);
      return { loss: [loss], d, at, dist, grads: layer.parameters.map((p) => p.grad) };
    };
    const a = run(f32);
    const b = run(f64);
    expect(worstError(a.loss, b.loss, 1e-2)).toBeLessThan(1e-4);
    expect(worstError(a.d, b.d, 1e-2)).toBeLessThan(1e-4);
    expect(worstError(a.at, b.at, 1e-2)).toBeLessThan(1e-4);
    expect(worstError(a.dist, b.dist, 1e-2)).toBeLessThan(1e-4);
    a.grads.forEach((g, i) => {
      expect(worstError(g, b.grads[i]!, 1e-2)).toBeLessThan(1e-4);
    });
    f32.dispose();
    f64.dispose();
  });
});

describe('AdaptiveSoftmax shape, initialisation and arrays', () => {
  it('is exported from the package root', () => {
    expect([api.AdaptiveSoftmax, api.adaptiveShape, api.defaultCutoffs]).toEqual([AdaptiveSoftmax, adaptiveShape, defaultCutoffs]);
  });

  it('sizes the head and tails as torch does', () => {
    const s = adaptiveShape({ vocabSize: 50, inputSize: 16, cutoffs: [10, 30] });
    expect(s).toMatchObject({
      shortlistSize: 10,
      clusterCount: 2,
      headSize: 12,
      clusterStart: [10, 30],
      clusterSize: [20, 20],
      projectionSize: [4, 1],
      divValue: 4,
      headBias: false,
    });
    // int(in_features // div_value ** (i + 1)) with Python's float floor division.
    expect(pythonFloorDivide(1, 0.1)).toBe(9);
    expect(pythonFloorDivide(16, 4)).toBe(4);
    expect(pythonFloorDivide(17, 16)).toBe(1);
    expect(adaptiveShape({ vocabSize: 50, inputSize: 10, cutoffs: [10], divValue: 3 }).projectionSize).toEqual([3]);
  });

  it('refuses the cutoffs torch refuses, and a projection of width 0', () => {
    const bad = [[], [0, 5], [5, 5], [7, 5], [5, 50], [2.5]];
    for (const cutoffs of bad) expect(() => adaptiveShape({ vocabSize: 50, inputSize: 16, cutoffs })).toThrow(UserError);
    expect(() => adaptiveShape({ vocabSize: 50, inputSize: 8, cutoffs: [10, 30] })).toThrow(/width ⌊8 \/ 4\^2⌋ = 0/);
    expect(() => adaptiveShape({ vocabSize: 50, inputSize: 16, cutoffs: [10], divValue: 0 })).toThrow(UserError);
    expect(() => AdaptiveSoftmax.create({ vocabSize: 50, inputSize: 16, cutoffs: [49] })).not.toThrow();
  });

  it('default cut-offs follow the documented rule and always make a valid layer', () => {
    expect(defaultCutoffs(14116)).toEqual([2000, 8000]);
    expect(defaultCutoffs(1000)).toEqual([250]);
    expect(defaultCutoffs(5000)).toEqual([1250]);
    // A cut-off stays only if the cluster after it is at least as large as the one before it.
    expect(defaultCutoffs(14000)).toEqual([2000, 8000]);
    expect(defaultCutoffs(13999)).toEqual([2000]);
    expect(defaultCutoffs(267735)).toEqual([2000, 8000, 32000, 128000]);
    expect(defaultCutoffs(267735, { inputSize: 128 })).toEqual([2000, 8000, 32000]);
    expect(defaultCutoffs(2)).toEqual([1]);
    for (let V = 2; V <= 3000; V += 7) {
      const cutoffs = defaultCutoffs(V, { inputSize: 16 });
      expect(() => adaptiveShape({ vocabSize: V, inputSize: 16, cutoffs })).not.toThrow();
    }
  });

  it('initialises as torch.nn.Linear, reproducibly from the seed', () => {
    const layer = AdaptiveSoftmax.create({ vocabSize: 50, inputSize: 16, cutoffs: [10, 30], headBias: true, dtype: 'float64' });
    layer.initialize(new Random(3));
    const fanIn: Record<string, number> = {
      'head.weight': 16,
      'head.bias': 16,
      'tail.0.0.weight': 16,
      'tail.0.1.weight': 4,
      'tail.1.0.weight': 16,
      'tail.1.1.weight': 1,
    };
    expect(layer.parameters.map((p) => p.name)).toEqual(Object.keys(fanIn));
    for (const p of layer.parameters) {
      const bound = 1 / Math.sqrt(fanIn[p.name]!);
      expect(p.data.every((v) => Math.abs(v) <= bound)).toBe(true);
      // Uniform on (−bound, bound): the largest |value| of many draws comes near the bound.
      if (p.data.length >= 40) expect(Math.max(...p.data.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    }
    const again = AdaptiveSoftmax.create(layer.description);
    again.initialize(new Random(3));
    expect(again.namedArrays()).toEqual(layer.namedArrays());
    layer.dispose();
    again.dispose();
  });

  it('names its parameters under a prefix, restores from named arrays, and refuses a missing or mis-sized one', () => {
    const layer = AdaptiveSoftmax.fromArrays({ ...testLayer().description, name: 'decoder' }, renamed(testLayer().namedArrays(), 'decoder.'));
    const saved = Object.fromEntries(Object.entries(layer.namedArrays()).map(([k, v]) => [k, v.slice()]));
    expect(Object.keys(saved)).toEqual(
      ['head.weight', 'head.bias', 'tail.0.0.weight', 'tail.0.1.weight', 'tail.1.0.weight', 'tail.1.1.weight', 'tail.2.0.weight', 'tail.2.1.weight'].map(
        (n) => `decoder.${n}`,
      ),
    );
    expect(layer.description.name).toBe('decoder');
    // A whole model's arrays: the layer takes its own and leaves the others.
    const restored = AdaptiveSoftmax.fromArrays(layer.description, { ...saved, 'rnn.weight_ih_l0': new Float64Array(3) });
    const input = randomArray(2 * layer.inputSize, 17);
    const a = new Float64Array(layer.vocabSize);
    const b = new Float64Array(layer.vocabSize);
    testLayer().logDistribution(input, a);
    restored.logDistribution(input, b);
    expect(b).toEqual(a);
    const { 'decoder.tail.1.0.weight': _, ...missing } = saved;
    expect(() => AdaptiveSoftmax.fromArrays(layer.description, missing)).toThrow(/decoder\.tail\.1\.0\.weight is missing/);
    expect(() => restored.loadArrays({ ...saved, 'decoder.head.bias': new Float64Array(2) })).toThrow(/head\.bias is 2 values, expected 9/);
    restored.logDistribution(input, b);
    expect(b).toEqual(a);
    layer.dispose();
    restored.dispose();
    expect(() => restored.logDistribution(input, b)).toThrow(/after dispose/);
  });
});
