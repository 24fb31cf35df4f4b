import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { Random } from '../../numerics/random.ts';
import { backward, forward, WindowNetwork, WindowWorkspace } from '../../models/window/network.ts';
import { windowStep } from '../../models/window/training.ts';
import { expectGradient } from '../numerics/finite-difference.ts';

const shapes = [
  { n: 4, m: 3, h: 5, direct: true },
  { n: 3, m: 2, h: 4, direct: false },
  { n: 2, m: 3, h: 0, direct: true },
];

describe.each(shapes)('window network n=$n m=$m h=$h direct=$direct', (shape) => {
  const V = 7;
  const B = 5;

  for (const dropout of [0, 0.3]) {
    it(`backward matches finite differences for every parameter (float64, dropout ${dropout})`, () => {
      const net = new WindowNetwork({ vocabSize: V, ...shape, dtype: 'float64' });
      net.initialize(new Random(3));
      const ws = new WindowWorkspace(net, B, dropout > 0);
      const r = new Random(5);
      for (let i = 0; i < ws.contexts.length; i++) ws.contexts[i] = r.int(V);
      ws.contexts[0] = ws.contexts[1]!; // a repeated id within one context
      for (let i = 0; i < B; i++) ws.targets[i] = r.int(V);
      // The same dropout masks on every evaluation: a fresh stream with the same seed.
      const loss = (): number => {
        forward(ws, B, dropout, new Random(9));
        return softmaxCrossEntropy(ws.y, ws.targets, ws.y, B, V, 1 / B) / B;
      };
      loss();
      backward(ws, B);
      for (const p of net.parameters()) {
        const analytic = Float64Array.from(p.grad);
        expectGradient(loss, p.data as Float64Array, analytic, 1e-7);
      }
    });
  }

  it.each([
    ['class', { output: 'class', classes: 3, classBinning: 'sqrt' }, 'output.word.weight'],
    ['adaptive', { output: 'adaptive', classes: 0, classBinning: 'sqrt', cutoffs: [3], divValue: 2 }, 'output.tail.0.1.weight'],
  ] as const)('with the %s output, the whole step matches finite differences for every parameter (float64, dropout 0.3)', (_kind, output, name) => {
    const net = new WindowNetwork({ vocabSize: V, ...shape, dtype: 'float64', output });
    net.initialize(new Random(3));
    expect(net.b).toBeNull();
    expect(net.parameters().map((p) => p.name)).toContain(name);
    const ws = new WindowWorkspace(net, B, true);
    const r = new Random(6);
    for (let i = 0; i < ws.contexts.length; i++) ws.contexts[i] = r.int(V);
    for (let i = 0; i < B; i++) ws.targets[i] = r.int(V);
    const loss = (): number => windowStep(ws, B, 0.3, new Random(9)) / B;
    // Every gradient at the unperturbed point first: each step rewrites them (C's accumulates, so it starts from 0).
    net.C.grad.fill(0);
    loss();
    const analytic = net.parameters().map((p) => Float64Array.from(p.grad));
    net.parameters().forEach((p, k) => {
      expectGradient(loss, p.data as Float64Array, analytic[k]!, 1e-7);
    });
  });

  it('reads like eq. 1 for one context: y = b + W·x + U·tanh(d + H·x)', () => {
    const net = new WindowNetwork({ vocabSize: V, ...shape, dtype: 'float64' });
    net.initialize(new Random(1));
    const ws = new WindowWorkspace(net, 1);
    const context = Array.from({ length: shape.n - 1 }, (_, i) => (2 * i + 1) % V);
    ws.contexts.set(context);
    forward(ws, 1);
    const { m, h } = shape;
    const x = context.flatMap((w) => Array.from(net.C.data.subarray(w * m, (w + 1) * m)));
    const I = x.length;
    const t = Array.from({ length: h }, (_, j) => Math.tanh(net.d!.data[j]! + x.reduce((s, xi, i) => s + net.H!.data[j * I + i]! * xi, 0)));
    for (let w = 0; w < V; w++) {
      let y = net.b!.data[w]!;
      for (let j = 0; j < h; j++) y += net.U!.data[j * V + w]! * t[j]!;
      if (shape.direct) for (let i = 0; i < I; i++) y += net.W!.data[i * V + w]! * x[i]!;
      expect(ws.y[w]).toBeCloseTo(y, 12);
    }
  });
});

describe('window network', () => {
  it('needs direct connections when there is no hidden layer', () => {
    expect(() => new WindowNetwork({ vocabSize: 5, n: 3, m: 2, h: 0, direct: false, dtype: 'float32' })).toThrow(/--direct/);
  });

  it('counts the parameters of eq. 1: |V|(1 + m + h + (n−1)m) + h(1 + (n−1)m)', () => {
    const V = 14_116;
    const net = new WindowNetwork({ vocabSize: V, n: 5, m: 60, h: 50, direct: true, dtype: 'float32' });
    const count = net.parameters().reduce((s, p) => s + p.data.length, 0);
    expect(count).toBe(V * (1 + 60 + 50 + 240) + 50 * (1 + 240));
    expect(net.parameters().map((p) => `${p.name}[${p.shape.join('×')}]`)).toEqual([
      'C[14116×60]',
      'H[50×240]',
      'd[50]',
      'U[50×14116]',
      'b[14116]',
      'W[240×14116]',
    ]);
  });
});
