import { describe, expect, it } from 'vitest';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { RecurrentNetwork, TrainingPass } from '../../models/rnn/network.ts';
import { WindowNetwork, WindowWorkspace } from '../../models/window/network.ts';
import { windowStep } from '../../models/window/training.ts';
import { clipGradNorm, gradientNorm } from '../../numerics/clip-grad-norm.ts';
import { createParameter, createRowSparseParameter, zeroGradients, type Parameter } from '../../numerics/parameter.ts';
import { Random } from '../../numerics/random.ts';
import type { DType } from '../../numerics/tensor.ts';
import { TouchedRows } from '../../numerics/touched-rows.ts';

describe('TouchedRows', () => {
  it('lists the marked rows as ascending runs of elements, each row once', () => {
    const t = new TouchedRows(10, 3);
    t.markIds(Int32Array.from([7, 2, 3, 7, 9, 2]), 6);
    t.markRange(4, 6);
    expect(t.size).toBe(6);
    expect(Array.from(t.elementRuns())).toEqual([6, 12, 21, 3, 27, 3]); // rows 2..5, row 7, row 9
    t.clear();
    expect(t.size).toBe(0);
    expect(Array.from(t.elementRuns())).toEqual([]);
    t.mark(0);
    t.markAll();
    expect(t.all).toBe(true);
    expect(Array.from(t.elementRuns())).toEqual([0, 30]);
  });
});

/** A row-sparse [rows × width] parameter with random gradients in the given rows (marked), zeros elsewhere. */
function sparseParameter(dtype: DType, rows: number, width: number, touched: readonly number[], seed: number): Parameter {
  const p = createRowSparseParameter('table', [rows, width], dtype);
  const r = new Random(seed);
  for (const row of touched) {
    for (let j = 0; j < width; j++) p.grad[row * width + j] = r.normal() * 3;
    p.touched!.mark(row);
  }
  return p;
}

/** The same parameter without row tracking (the dense path), gradients copied. */
function denseCopy(p: Parameter, dtype: DType): Parameter {
  const q = createParameter('dense', p.shape, dtype);
  q.grad.set(p.grad);
  return q;
}

describe('row-sparse gradients: zeroing, norm and clipping visit the touched rows, with the dense results', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`${dtype}: the norm and the clipped gradient equal the dense computation's; zeroing clears exactly the touched rows`, () => {
      const touched = [40, 3, 4, 5, 99, 41, 0];
      const p = sparseParameter(dtype, 100, 7, touched, 1);
      const bias = createParameter('bias', [5], dtype);
      bias.grad.set([0.5, -1, 2, 0, 3]);
      const q = denseCopy(p, dtype);
      const denseBias = denseCopy(bias, dtype);
      expect(gradientNorm([p, bias])).toBeCloseTo(gradientNorm([q, denseBias]), 12);
      const norm = clipGradNorm([p, bias], 1);
      expect(norm).toBeCloseTo(clipGradNorm([q, denseBias], 1), 12);
      expect(norm).toBeGreaterThan(1);
      for (let i = 0; i < p.grad.length; i++) expect(p.grad[i]).toBeCloseTo(q.grad[i]!, 12);
      expect(gradientNorm([p, bias])).toBeCloseTo(1, 5);
      zeroGradients([p]);
      expect(p.grad.every((g) => g === 0)).toBe(true);
      expect(p.touched!.size).toBe(0);
    });
  }
});

/** Every row of a row-sparse parameter whose gradient is not zero is marked (the invariant its writers keep). */
function expectMarked(parameters: readonly Parameter[]): number {
  let checked = 0;
  for (const p of parameters) {
    if (!p.touched) continue;
    checked++;
    const width = p.touched.width;
    const marked = new Set<number>();
    const runs = p.touched.elementRuns();
    for (let i = 0; i < runs.length; i += 2) for (let e = runs[i]!; e < runs[i]! + runs[i + 1]!; e += width) marked.add(e / width);
    for (let row = 0; row < p.touched.rows; row++) {
      const nonZero = p.grad.subarray(row * width, (row + 1) * width).some((g) => g !== 0);
      if (nonZero) expect(marked.has(row), `${p.name}: row ${row} has a gradient but is not marked`).toBe(true);
    }
    // Marks are not wasted either: a touched row of a looked-up table or a computed class has a gradient.
    expect(p.touched.size).toBeGreaterThan(0);
  }
  return checked;
}

describe('the neural models keep the invariant: every non-zero gradient row is marked', () => {
  const V = 30;
  for (const output of [
    { output: 'full', classes: 0, classBinning: 'sqrt' },
    { output: 'class', classes: 5, classBinning: 'sqrt' },
  ] as const) {
    it(`recurrent network (${output.output} output, dropout 0.2)`, () => {
      const net = new RecurrentNetwork({
        cell: 'lstm',
        nonlinearity: 'tanh',
        vocabSize: V,
        embeddingSize: 4,
        hiddenSize: 5,
        numLayers: 1,
        dropout: 0.2,
        tie: false,
        oneHot: false,
        seed: 2,
        dtype: 'float64',
        output,
      });
      const pass = new TrainingPass(net, 2, 4);
      for (const shift of [0, 7]) {
        zeroGradients(net.parameters);
        const inputs = Int32Array.from([BOS_ID, BOS_ID, 3 + shift, 5, 4, 9, 11 + shift, 12]);
        const targets = Int32Array.from([3 + shift, 5, 4, 9, 11 + shift, 12, 20, EOS_ID]);
        pass.step({ steps: 4, batch: 2, inputs, targets, reset: true, tokens: 8 });
        expect(expectMarked(net.parameters)).toBe(output.output === 'class' ? 3 : 1);
      }
    });

    it(`window network (${output.output} output, dropout 0.3)`, () => {
      const net = new WindowNetwork({ vocabSize: V, n: 3, m: 4, h: 5, direct: true, dtype: 'float64', output });
      net.initialize(new Random(3));
      const B = 6;
      const ws = new WindowWorkspace(net, B, true);
      const r = new Random(8);
      for (let i = 0; i < ws.contexts.length; i++) ws.contexts[i] = r.int(V);
      for (let i = 0; i < B; i++) ws.targets[i] = r.int(V);
      zeroGradients(net.parameters());
      windowStep(ws, B, 0.3, new Random(9));
      expect(expectMarked(net.parameters())).toBe(output.output === 'class' ? 3 : 1);
    });
  }
});
