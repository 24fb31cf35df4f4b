import { describe, expect, it } from 'vitest';
import { encodeSentences } from '../../corpora/corpus.ts';
import { Vocabulary } from '../../corpora/vocabulary.ts';
import { bootstrapPerplexity, sentenceLengths, streamBlockSentences } from '../../harness/statistics/bootstrap.ts';

/** `sentences` sentences of `length` tokens each, every token of sentence s with ln p = logProbOf(s). */
function scores(sentences: number, length: number, logProbOf: (s: number) => number): { lp: Float64Array; lengths: Int32Array } {
  const lengths = new Int32Array(sentences).fill(length);
  const lp = new Float64Array(sentences * length);
  for (let s = 0; s < sentences; s++) lp.fill(logProbOf(s), s * length, (s + 1) * length);
  return { lp, lengths };
}

describe('bootstrapPerplexity', () => {
  it('gives a zero-width interval when every sentence has the same ln p', () => {
    const { lp, lengths } = scores(50, 4, () => Math.log(1 / 20));
    const interval = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 200 });
    expect(interval.low).toBeCloseTo(20, 10);
    expect(interval.high).toBeCloseTo(20, 10);
  });

  it('puts the interval around the perplexity and inside the range of two sentence kinds', () => {
    // Half the sentences at perplexity 10, half at 40: the whole split's perplexity is √(10·40) = 20.
    const { lp, lengths } = scores(200, 5, (s) => -Math.log(s % 2 === 0 ? 10 : 40));
    const { low, high } = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 1000 });
    expect(low).toBeGreaterThan(10);
    expect(high).toBeLessThan(40);
    expect(low).toBeLessThan(20);
    expect(high).toBeGreaterThan(20);
    // The share p of ppl-10 sentences in a resample has sd √(0.25/200) = 0.035; ppl = 10^p·40^(1−p), so the
    // 95% ends are near 20·4^(∓1.96·0.035) = 18.1 and 22.1.
    expect(low).toBeCloseTo(18.1, 0);
    expect(high).toBeCloseTo(22.1, 0);
  });

  it('is the same for the same seed and differs for another', () => {
    const { lp, lengths } = scores(300, 3, (s) => -Math.log(5 + (s % 7)));
    const a = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 300, seed: 4 });
    const b = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 300, seed: 4 });
    const c = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 300, seed: 5 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('resamples whole blocks in stream mode', () => {
    // Runs of 10 sentences alike (as in a stream, where neighbours share the model's state): blocks of 10 see
    // 10 independent units, single sentences 100, so the block interval is √10 times as wide, about.
    const { lp, lengths } = scores(100, 2, (s) => -Math.log(Math.floor(s / 10) % 2 === 0 ? 10 : 40));
    const stream = bootstrapPerplexity(lp, lengths, { mode: 'stream', blockSentences: 10, resamples: 2000 });
    const sentence = bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 2000 });
    const ratio = (stream.high - stream.low) / (sentence.high - sentence.low);
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(4);
    // Blocks of 10 that are each all alike: a resample's perplexity is 10^p·40^(1−p) with p a multiple of 1/10.
    const possible = Array.from({ length: 11 }, (_, j) => 10 ** (j / 10) * 40 ** (1 - j / 10));
    const { low, high } = bootstrapPerplexity(lp, lengths, { mode: 'stream', blockSentences: 10, resamples: 999 });
    // With 999 resamples the 2.5% and 97.5% quantiles fall on resamples exactly (no interpolation).
    expect(possible.some((v) => Math.abs(v - low) < 1e-9)).toBe(true);
    expect(possible.some((v) => Math.abs(v - high) < 1e-9)).toBe(true);
  });

  it('chooses ⌈n^(1/3)⌉ sentences a block by default', () => {
    expect(streamBlockSentences(11_690)).toBe(23);
    expect(streamBlockSentences(1)).toBe(1);
    expect(streamBlockSentences(27)).toBe(3);
  });

  it('rejects log-probabilities that do not match the sentences, and a bad number of resamples', () => {
    const { lp, lengths } = scores(3, 2, () => -1);
    expect(() => bootstrapPerplexity(lp.subarray(1), lengths, { mode: 'sentence' })).toThrow('5 log-probabilities for sentences of 6 tokens');
    expect(() => bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 0 })).toThrow('resamples must be a positive integer');
  });

  it('gives NaN ends for a NaN log-probability and infinite ones when every resample has a probability 0', () => {
    const { lp, lengths } = scores(4, 2, () => -1);
    lp[3] = NaN;
    expect(bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 50 })).toEqual({ low: NaN, high: NaN });
    lp.fill(-Infinity);
    expect(bootstrapPerplexity(lp, lengths, { mode: 'sentence', resamples: 50 })).toEqual({ low: Infinity, high: Infinity });
  });
});

describe('sentenceLengths', () => {
  it('counts each sentence’s words and its </s>', () => {
    const vocab = Vocabulary.build([['a']]);
    const split = encodeSentences([['a', 'a'], [], ['a']], vocab, 'word');
    expect([...sentenceLengths(split)]).toEqual([3, 1, 2]);
  });
});
