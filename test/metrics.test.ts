import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../corpora/corpus.ts';
import { toyCorpus } from '../corpora/toy.ts';
import { EOS_ID, UNK_ID } from '../corpora/vocabulary.ts';
import { evaluate } from '../harness/metrics.ts';
import type { Scorer } from '../models/types.ts';

/** A scorer whose log-probabilities depend on the history length, to see where resets happen. */
function historyScorer(vocabSize: number): Scorer & { calls: number[][] } {
  let history: number[] = [];
  const calls: number[][] = [];
  return {
    vocabSize,
    calls,
    reset() {
      history = [];
    },
    logProb(next) {
      calls.push([...history, next]);
      return -(history.length + 1);
    },
    distribution(out) {
      out.fill(1 / vocabSize);
    },
    feed(t) {
      history.push(t);
    },
  };
}

describe('evaluate', () => {
  const split = { tokens: Int32Array.from([5, UNK_ID, 6, 7]), starts: Int32Array.from([0, 2, 4]), unk: 1, characters: 10 };

  it('sentence mode resets at each sentence and predicts every word and </s>', () => {
    const s = historyScorer(8);
    const m = evaluate(s, split, { mode: 'sentence' });
    expect(m.tokens).toBe(6);
    expect(s.calls).toEqual([[5], [5, UNK_ID], [5, UNK_ID, EOS_ID], [6], [6, 7], [6, 7, EOS_ID]]);
    expect(m.logprob).toBe(-(1 + 2 + 3) * 2);
    expect(m.perplexity).toBeCloseTo(Math.exp(12 / 6), 12);
    expect(m.unk).toBe(1);
    // Without the <unk> token (log p = −2): the sum is −10 over 5 tokens.
    expect(m.perplexityWithoutUnk).toBeCloseTo(Math.exp(10 / 5), 12);
    expect(m.bitsPerToken).toBeCloseTo(12 / 6 / Math.LN2, 12);
  });

  it('stream mode carries the history across sentences', () => {
    const s = historyScorer(8);
    const m = evaluate(s, split, { mode: 'stream' });
    expect(s.calls.at(-1)).toEqual([5, UNK_ID, EOS_ID, 6, 7, EOS_ID]);
    expect(m.logprob).toBe(-(1 + 2 + 3 + 4 + 5 + 6));
  });

  it('reports a zero probability as infinite perplexity with its count', () => {
    const s = historyScorer(8);
    s.logProb = (next) => (next === 7 ? -Infinity : -1);
    const m = evaluate(s, split, { mode: 'sentence' });
    expect(m.zeroProbability).toBe(1);
    expect(m.perplexity).toBe(Infinity);
    expect(m.perplexityWithoutUnk).toBe(Infinity);
  });

  it('never lets a NaN or +Infinity log-probability look like a result, even beside a probability 0', () => {
    for (const bad of [NaN, Infinity]) {
      const s = historyScorer(8);
      s.logProb = (next) => (next === 6 ? bad : next === 7 ? -Infinity : -1);
      const m = evaluate(s, split, { mode: 'sentence', level: 'char' });
      expect(m.invalid).toBe(1);
      expect(m.zeroProbability).toBe(1);
      expect(m.perplexity).toBeNaN();
      expect(m.perplexityWithoutUnk).toBeNaN();
      expect(m.bitsPerToken).toBeNaN();
      expect(m.bitsPerCharacter).toBeNaN();
    }
    // On an <unk> token, which the "without <unk>" figure leaves out, too.
    const s = historyScorer(8);
    s.logProb = (next) => (next === UNK_ID ? NaN : -1);
    const m = evaluate(s, split, { mode: 'sentence' });
    expect([m.invalid, m.perplexity, m.perplexityWithoutUnk]).toEqual([1, NaN, NaN]);
    expect(evaluate(historyScorer(8), split, { mode: 'sentence' }).invalid).toBe(0);
  });

  it('gives bits per character on character corpora', () => {
    const c = encodeCorpus(toyCorpus('hihello'));
    const uniform: Scorer = {
      vocabSize: c.vocab.size,
      reset() {},
      feed() {},
      logProb: () => Math.log(1 / 4),
      distribution(out) {
        out.fill(1 / c.vocab.size);
      },
    };
    const m = evaluate(uniform, c.test, { mode: 'sentence', level: 'char' });
    expect(m.tokens).toBe(8); // h i h e l l o </s>
    expect(m.bitsPerCharacter).toBeCloseTo(2, 12);
    expect(m.perplexity).toBeCloseTo(4, 12);
  });
});
