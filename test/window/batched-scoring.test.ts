import { describe, expect, it } from 'vitest';
import { kernelMemory } from '../../numerics/kernels/arena.ts';
import { Random } from '../../numerics/random.ts';
import { WindowNetwork, type WindowShape } from '../../models/window/network.ts';
import { SCORING_ROWS, WindowScorer } from '../../models/window/scorer.ts';
import { maxDifference, sentencesOf, tokenByToken } from '../support/sentence-scoring.ts';

function network(extra: Partial<WindowShape> = {}): WindowNetwork {
  const net = new WindowNetwork({ vocabSize: 50, n: 4, m: 5, h: 6, direct: true, dtype: 'float64', ...extra });
  net.initialize(new Random(4));
  return net;
}

describe('window scorer: the contexts of many sentences per product (scoreSentences)', () => {
  // `</s>` alone, sentences shorter than the window, and enough tokens to cross several SCORING_ROWS chunks.
  const lengths = [1, 2, 3, 40, 1, 17, 9, SCORING_ROWS + 3, 1, ...Array.from({ length: 80 }, (_, i) => 1 + ((i * 11) % 30))];

  for (const extra of [{}, { h: 0 }, { direct: false }] as Partial<WindowShape>[]) {
    it(`equals token by token exactly in float64, each sentence in its place: ${JSON.stringify(extra)}`, () => {
      const net = network(extra);
      const sentences = sentencesOf(lengths, 50);
      const batched = new WindowScorer(net);
      for (const t of [4, 9, 11]) batched.feed(t);
      const outs = sentences.map((s) => new Float64Array(s.length));
      batched.scoreSentences(sentences, outs);
      expect(outs).toEqual(tokenByToken(new WindowScorer(net), sentences));
      expect(batched.logProb(7)).toBe(new WindowScorer(net).logProb(7));
    });
  }

  it('float32 on the kernels: within 1e-5 of token by token, and scoreSequence still carries the history', () => {
    const net = network({ dtype: 'float32', vocabSize: 300, m: 16, h: 20 });
    const sentences = sentencesOf(lengths, 300);
    const outs = sentences.map((s) => new Float64Array(s.length));
    new WindowScorer(net).scoreSentences(sentences, outs);
    const slow = tokenByToken(new WindowScorer(net), sentences);
    expect(maxDifference(outs, slow)).toBeLessThan(1e-5);
    // The stream of all of them through scoreSequence in one call: the same as token by token from one reset.
    const stream = Int32Array.from(sentences.flatMap((s) => [...s]));
    const bulk = new Float64Array(stream.length);
    new WindowScorer(net).scoreSequence(stream, bulk);
    const one = new WindowScorer(net);
    let worst = 0;
    stream.forEach((t, i) => {
      worst = Math.max(worst, Math.abs(one.logProb(t) - bulk[i]!));
      one.feed(t);
    });
    expect(worst).toBeLessThan(1e-5);
  });

  it('keeps its kernel memory to its row budget, however many sentences it is handed', () => {
    const net = network({ dtype: 'float32', vocabSize: 2000, m: 8, h: 8 });
    const scorer = new WindowScorer(net);
    const before = kernelMemory().buffer.byteLength;
    const few = sentencesOf(
      Array.from({ length: 50 }, (_, i) => 1 + ((i * 7) % 40)),
      2000,
    );
    scorer.scoreSentences(
      few,
      few.map((s) => new Float64Array(s.length)),
    );
    const afterFew = kernelMemory().buffer.byteLength;
    expect(afterFew - before).toBeLessThan(32 * 2 ** 20);
    const many = sentencesOf(
      Array.from({ length: 1500 }, (_, i) => 1 + ((i * 7) % 40)),
      2000,
    );
    expect(many.reduce((n, s) => n + s.length, 0)).toBeGreaterThan(30_000);
    scorer.scoreSentences(
      many,
      many.map((s) => new Float64Array(s.length)),
    );
    expect(kernelMemory().buffer.byteLength).toBe(afterFew);
  });
});
