import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../corpora/corpus.ts';
import { toyCorpus } from '../corpora/toy.ts';
import { EOS_ID, UNK_ID } from '../corpora/vocabulary.ts';
import { evaluate, PROGRESS_TOKENS, SCORING_PIECE } from '../harness/metrics.ts';
import type { ProgressEvent, Scorer } from '../models/types.ts';

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

  it('gives bits per character on word corpora too: code points of the words plus one separator each', () => {
    const corpus = {
      name: 'words',
      level: 'word' as const,
      train: [['a', 'b']],
      valid: [['a']],
      // "héllo" is 5 code points, "𝔸b" is 2 (𝔸 is two UTF-16 units): 5 + 2 + two separators = 9.
      test: [['héllo', '𝔸b']],
      minCount: 1,
      source: 'test',
    };
    const c = encodeCorpus(corpus);
    expect(c.test.characters).toBe(9);
    const m = evaluate(historyScorer(c.vocab.size), c.test, { mode: 'sentence' });
    // ln p = −1, −2, −3 for the two words and </s>: 6 nats over 9 characters.
    expect(m.characters).toBe(9);
    expect(m.bitsPerCharacter).toBeCloseTo(6 / 9 / Math.LN2, 12);
  });

  it('scores a long sentence in pieces, the same as in one go, and reports progress as it goes', () => {
    const lengths = [10_000, 3, 40_000];
    const starts = Int32Array.from([0, ...lengths.map((_, i) => lengths.slice(0, i + 1).reduce((a, b) => a + b))]);
    const tokens = Int32Array.from({ length: starts.at(-1)! }, (_, i) => 3 + (i % 5));
    const long = { tokens, starts, unk: 0, characters: 0 };
    // History-dependent log-probabilities: a piece scored from a lost state would change them.
    const piecewise = (): Scorer & { pieces: number[] } => {
      let h = 0;
      const pieces: number[] = [];
      const logProb = (next: number): number => -1 - ((h * 31 + next) % 7) / 10;
      return {
        vocabSize: 8,
        pieces,
        reset: () => {
          h = 0;
        },
        logProb,
        distribution: (out) => void out.fill(1 / 8),
        feed: (t) => {
          h = (h * 31 + t) % 1009;
        },
        scoreSequence(seq, out) {
          pieces.push(seq.length);
          for (let i = 0; i < seq.length; i++) {
            out[i] = logProb(seq[i]!);
            h = (h * 31 + seq[i]!) % 1009;
          }
        },
      };
    };
    const inPieces = piecewise();
    const events: ProgressEvent[] = [];
    const a = new Float64Array(tokens.length + 3);
    const m = evaluate(inPieces, long, { mode: 'sentence', perToken: a, onProgress: (e) => events.push(e) });
    expect(Math.max(...inPieces.pieces)).toBe(SCORING_PIECE);
    expect(inPieces.pieces.reduce((x, y) => x + y)).toBe(m.tokens);
    const oneByOne = piecewise();
    delete (oneByOne as Partial<Scorer>).scoreSequence;
    const b = new Float64Array(tokens.length + 3);
    evaluate(oneByOne, long, { mode: 'sentence', perToken: b });
    expect(a).toEqual(b);

    expect(events.every((e) => e.phase === 'scoring' && e.total === m.tokens && e.unit === 'tokens' && e.tokensPerSecond! > 0)).toBe(true);
    const done = events.map((e) => e.done);
    expect(done.at(-1)).toBe(m.tokens);
    expect(done.length).toBeGreaterThanOrEqual(Math.floor(m.tokens / PROGRESS_TOKENS));
    expect(done.length).toBeLessThanOrEqual(Math.ceil(m.tokens / PROGRESS_TOKENS) + 1);
    // Within the 40,000-token sentence too (not only between sentences).
    expect(done.filter((d) => d > 10_004 && d < m.tokens).length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThan(done[i - 1]!);
  });
});
