import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { GRU, LSTM, RNN, type Tensor } from '../../index.ts';
import { kernelMemoryStats } from '../../numerics/kernels/arena.ts';
import { allocate, release } from '../../numerics/tensor.ts';

/** The lessons' input: "hello", "eolll", "lleel" one-hot over h, e, l, o. */
function helloBatch(): Tensor {
  const alphabet = ['h', 'e', 'l', 'o'];
  const words = ['hello', 'eolll', 'lleel'];
  const data = new Float32Array(3 * 5 * 4);
  words.forEach((w, b) => {
    Array.from(w).forEach((ch, t) => {
      data[(b * 5 + t) * 4 + alphabet.indexOf(ch)] = 1;
    });
  });
  return { shape: [3, 5, 4], data };
}

describe('recurrent layers', () => {
  it('has the shapes of the lessons: one-hot (3, 5, 4) batch-first → output (3, 5, 2), hN (1, 3, 2)', () => {
    const rnn = new RNN({ inputSize: 4, hiddenSize: 2, batchFirst: true });
    const { output, hN } = rnn.forward(helloBatch());
    expect(output.shape).toEqual([3, 5, 2]);
    expect(hN.shape).toEqual([1, 3, 2]);
    // hN is the output at the last step of each sequence.
    for (let b = 0; b < 3; b++) {
      for (let j = 0; j < 2; j++) expect(hN.data[b * 2 + j]).toBe(output.data[(b * 5 + 4) * 2 + j]);
    }
    for (const v of output.data) expect(Math.abs(v)).toBeLessThan(1);
  });

  it('names and shapes its parameters as PyTorch does', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true });
    expect(lstm.namedParameters().map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0:20x3',
      'weight_hh_l0:20x5',
      'bias_ih_l0:20',
      'bias_hh_l0:20',
      'weight_ih_l0_reverse:20x3',
      'weight_hh_l0_reverse:20x5',
      'bias_ih_l0_reverse:20',
      'bias_hh_l0_reverse:20',
      'weight_ih_l1:20x10',
      'weight_hh_l1:20x5',
      'bias_ih_l1:20',
      'bias_hh_l1:20',
      'weight_ih_l1_reverse:20x10',
      'weight_hh_l1_reverse:20x5',
      'bias_ih_l1_reverse:20',
      'bias_hh_l1_reverse:20',
    ]);
    const gru = new GRU({ inputSize: 3, hiddenSize: 5, bias: false });
    expect(gru.namedParameters().map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['weight_ih_l0:15x3', 'weight_hh_l0:15x5']);
    expect(gru.parameterCount()).toBe(15 * 8);
  });

  it('initialises every parameter from U(−1/√H, 1/√H), the same for the same seed', () => {
    const a = new GRU({ inputSize: 6, hiddenSize: 16, seed: 7, dtype: 'float64' });
    const b = new GRU({ inputSize: 6, hiddenSize: 16, seed: 7, dtype: 'float64' });
    const c = new GRU({ inputSize: 6, hiddenSize: 16, seed: 8, dtype: 'float64' });
    const all = a.namedParameters().flatMap((p) => [...p.data]);
    expect(all.every((v) => Math.abs(v) <= 0.25)).toBe(true);
    expect(Math.max(...all)).toBeGreaterThan(0.24);
    expect(Math.min(...all)).toBeLessThan(-0.24);
    expect(b.namedParameters().flatMap((p) => [...p.data])).toEqual(all);
    expect(c.namedParameters().flatMap((p) => [...p.data])).not.toEqual(all);
  });

  it('applies dropout between layers only in training mode, and back-propagates through the same mask', () => {
    const make = () => new RNN({ inputSize: 3, hiddenSize: 6, numLayers: 2, dropout: 0.5, dtype: 'float64', seed: 3 });
    const x: Tensor = { shape: [4, 2, 3], data: Float64Array.from({ length: 24 }, (_, i) => Math.sin(i)) };
    const dropped = make();
    const plain = make().eval();
    const a = [...dropped.forward(x).output.data];
    const b = [...plain.forward(x).output.data];
    expect(a).not.toEqual(b);
    expect([...make().eval().forward(x).output.data]).toEqual(b);
    // Gradient of sum(output) w.r.t. x matches a central difference under the same dropout mask: re-seeding
    // the layer replays the same mask.
    const grads = dropped.backward({ dOutput: { shape: [4, 2, 6], data: new Float64Array(48).fill(1) } });
    const sumOut = (xs: Tensor) => [...make().forward(xs).output.data].reduce((s, v) => s + v, 0);
    for (const k of [0, 7, 23]) {
      const e = 1e-6;
      const plus = { shape: x.shape, data: Float64Array.from(x.data) };
      const minus = { shape: x.shape, data: Float64Array.from(x.data) };
      plus.data[k]! += e;
      minus.data[k]! -= e;
      expect(grads.dx.data[k]).toBeCloseTo((sumOut(plus) - sumOut(minus)) / (2 * e), 6);
    }
  });

  it('reuses its buffers across batch shapes and gives the same answers', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64', seed: 1 });
    const small: Tensor = { shape: [2, 1, 2], data: Float64Array.from([0.5, -1, 2, 0.25]) };
    const big: Tensor = { shape: [7, 5, 2], data: Float64Array.from({ length: 70 }, (_, i) => Math.cos(i)) };
    const first = [...lstm.forward(small).output.data];
    lstm.forward(big);
    expect([...lstm.forward(small).output.data]).toEqual(first);
  });

  it('gives its kernel memory back: a growing workspace releases what it replaces, dispose releases all', () => {
    const input = (T: number): Tensor => ({ shape: [T, 4, 8], data: allocate('float32', T * 4 * 8) });
    const xs = [10, 20, 40, 80, 160].map(input);
    const before = kernelMemoryStats().used;
    const direct = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2 });
    direct.forward(xs[4]!);
    const largest = kernelMemoryStats().used - before;
    direct.dispose();
    expect(kernelMemoryStats().used).toBe(before);
    const growing = new LSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2 });
    for (const x of xs) growing.forward(x);
    expect(kernelMemoryStats().used - before).toBe(largest);
    growing.dispose();
    for (const x of xs) release(x.data);
  });

  it('rejects bad options and inputs with errors that name them', () => {
    expect(() => new RNN({ inputSize: 0, hiddenSize: 2 })).toThrow(/inputSize/);
    expect(() => new LSTM({ inputSize: 2, hiddenSize: 2, dropout: 1 })).toThrow(UserError);
    expect(() => new RNN({ inputSize: 2, hiddenSize: 2, nonlinearity: 'sigmoid' as 'tanh' })).toThrow(/nonlinearity/);
    const rnn = new RNN({ inputSize: 4, hiddenSize: 2 });
    expect(() => rnn.forward({ shape: [5, 3, 3], data: new Float32Array(45) })).toThrow(/input must have shape \[5, 3, 4\]/);
    expect(() => rnn.forward({ shape: [5, 3, 4], data: new Float64Array(60) })).toThrow(/float64/);
    expect(() => rnn.forward({ shape: [5, 3, 4], data: new Float32Array(60) }, { shape: [1, 2, 2], data: new Float32Array(4) })).toThrow(/h0/);
    expect(() => new GRU({ inputSize: 2, hiddenSize: 2 }).backward({ dOutput: { shape: [1, 1, 2], data: new Float32Array(2) } })).toThrow(/forward/);
  });
});
