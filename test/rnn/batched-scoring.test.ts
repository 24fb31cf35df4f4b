import { describe, expect, it } from 'vitest';
import { kernelMemory } from '../../numerics/kernels/arena.ts';
import { RecurrentNetwork, type NetworkShape } from '../../models/rnn/network.ts';
import type { Cell } from '../../models/rnn/options.ts';
import { MAX_BATCH, RecurrentScorer } from '../../models/rnn/scorer.ts';
import { planBatches } from '../../models/rnn/sentence-batches.ts';
import { maxDifference, sentencesOf, tokenByToken } from '../support/sentence-scoring.ts';

function network(cell: Cell, extra: Partial<NetworkShape> = {}): RecurrentNetwork {
  return new RecurrentNetwork({
    cell,
    nonlinearity: 'tanh',
    vocabSize: 50,
    embeddingSize: 6,
    hiddenSize: 5,
    numLayers: 2,
    dropout: 0,
    tie: false,
    oneHot: false,
    seed: 3,
    dtype: 'float64',
    ...extra,
  });
}

describe('recurrent scorer: many sentences per batch (scoreSentences)', () => {
  // `</s>` alone, short and long ones unsorted, and one with more steps than a batch holds.
  const lengths = [1, 5, 3, 40, 1, 2, 17, 9, 300, 1, 2600, 4, ...Array.from({ length: 150 }, (_, i) => 1 + ((i * 11) % 30))];

  for (const [cell, extra] of [
    ['lstm', {}],
    ['gru', { numLayers: 1 }],
    ['rnn', { oneHot: true }],
  ] as [Cell, Partial<NetworkShape>][]) {
    it(`equals token by token exactly in float64, each sentence in its place: ${cell} ${JSON.stringify(extra)}`, () => {
      const net = network(cell, extra);
      const sentences = sentencesOf(lengths, net.shape.vocabSize);
      const batched = new RecurrentScorer(net);
      // A history before the call must not matter: each sentence starts from <s>.
      for (const t of [4, 9, 11]) batched.feed(t);
      const outs = sentences.map((s) => new Float64Array(s.length));
      batched.scoreSentences(sentences, outs);
      expect(outs).toEqual(tokenByToken(new RecurrentScorer(net), sentences));
      // Afterwards the history is <s>.
      const fresh = new RecurrentScorer(net);
      expect(batched.logProb(7)).toBe(fresh.logProb(7));
    });
  }

  it('float32 on the kernels: within 1e-5 of token by token', () => {
    const net = network('lstm', { dtype: 'float32', vocabSize: 300, embeddingSize: 16, hiddenSize: 16 });
    const sentences = sentencesOf(lengths, 300);
    const outs = sentences.map((s) => new Float64Array(s.length));
    new RecurrentScorer(net).scoreSentences(sentences, outs);
    const slow = tokenByToken(new RecurrentScorer(net), sentences);
    expect(maxDifference(outs, slow)).toBeLessThan(1e-5);
    expect(outs.every((o) => o.every((v) => v < 0 && Number.isFinite(v)))).toBe(true);
  });

  it('keeps its kernel memory to its row budget, however many sentences it is handed', () => {
    // |V| = 2,000 in float32: logits for all 30,000 positions at once would take 240 MB.
    const net = network('lstm', { dtype: 'float32', vocabSize: 2000, embeddingSize: 16, hiddenSize: 16, numLayers: 1 });
    const scorer = new RecurrentScorer(net);
    const mixed = (count: number): Int32Array[] =>
      sentencesOf(
        Array.from({ length: count }, (_, i) => (i % 50 === 0 ? 400 : 1 + ((i * 7) % 40))),
        2000,
      );
    const before = kernelMemory().buffer.byteLength;
    const few = mixed(200);
    scorer.scoreSentences(
      few,
      few.map((s) => new Float64Array(s.length)),
    );
    const afterFew = kernelMemory().buffer.byteLength;
    expect(afterFew - before).toBeLessThan(32 * 2 ** 20);
    const many = mixed(1500);
    expect(many.reduce((n, s) => n + s.length, 0)).toBeGreaterThan(30_000);
    scorer.scoreSentences(
      many,
      many.map((s) => new Float64Array(s.length)),
    );
    expect(kernelMemory().buffer.byteLength).toBe(afterFew);
  });
});

describe('planBatches', () => {
  it('sorts longest first, fills batches up to the rows and the batch size, and puts an overlong sentence alone', () => {
    const sentences = [3, 10, 1, 10, 2, 30, 1, 4].map((n) => new Int32Array(n));
    const batches = planBatches(sentences, 20, 3);
    expect(batches).toEqual([
      { members: [5], steps: 29 },
      { members: [1, 3], steps: 9 },
      { members: [7, 0, 4], steps: 3 },
      { members: [2, 6], steps: 0 },
    ]);
    const all = planBatches(
      Array.from({ length: 500 }, (_, i) => new Int32Array(1 + (i % 37))),
      2048,
      MAX_BATCH,
    );
    expect(all.flatMap((b) => b.members).sort((a, b) => a - b)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    for (const b of all) {
      expect(b.members.length).toBeLessThanOrEqual(MAX_BATCH);
      expect(b.members.length * b.steps).toBeLessThanOrEqual(2048);
    }
  });
});
