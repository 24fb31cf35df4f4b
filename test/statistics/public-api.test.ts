import { describe, expect, it } from 'vitest';
import { bootstrapSplit, encodeCorpus, evaluate, fitMixture, pairedBootstrap, sentenceLengths, tallyTokens } from '../../index.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import type { Scorer } from '../../models/types.ts';

/** A scorer that gives every token the same probability 1/k. */
function uniform(vocabSize: number, k: number): Scorer {
  return {
    vocabSize,
    reset() {},
    feed() {},
    logProb: () => -Math.log(k),
    distribution(out) {
      out.fill(1 / vocabSize);
    },
  };
}

describe("the statistics of the public API (docs/api.md's example)", () => {
  const corpus = encodeCorpus(toyCorpus('ship'));
  const split = corpus.test;
  const n = split.tokens.length + split.starts.length - 1;

  it('gives a perplexity its interval, and a constant model a zero-width one', () => {
    const perToken = new Float64Array(n);
    const m = evaluate(uniform(corpus.vocab.size, 7), split, { mode: 'sentence', perToken });
    const { low, high } = bootstrapSplit(split, perToken, { mode: 'sentence' });
    expect(m.perplexity).toBeCloseTo(7, 12);
    expect([low, high].map((x) => x.toFixed(9))).toEqual(['7.000000000', '7.000000000']);
  });

  it('pairs, tallies and mixes two runs on the same tokens', () => {
    const a = new Float64Array(n).fill(-Math.log(7));
    const b = new Float64Array(n).fill(-Math.log(8));
    const paired = pairedBootstrap(a, b, sentenceLengths(split));
    expect(paired.difference.estimate).toBeCloseTo(-1, 12);
    expect(paired.ratio.estimate).toBeCloseTo(7 / 8, 12);
    expect(paired.pValue).toBe(0);
    expect(tallyTokens(a, b).overall).toMatchObject({ tokens: n, better: n, betterShare: 1, worseShare: 0, equalShare: 0 });
    // A better everywhere: EM gives B no weight (to the tolerance).
    expect(fitMixture([a, b]).weights[1]).toBeLessThan(1e-3);
  });
});
