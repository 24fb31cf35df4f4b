import { describe, expect, it } from 'vitest';
import type { EncodedSplit } from '../../corpora/corpus.ts';
import { EOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate, SCORING_PIECE, SENTENCE_GROUP_TOKENS } from '../../harness/metrics.ts';
import type { Scorer } from '../../models/types.ts';

/** A split of sentences of the given lengths (ids 3…9, one `<unk>` every 50 tokens) . */
function splitOf(lengths: readonly number[]): EncodedSplit {
  const starts = Int32Array.from([0, ...lengths.map((_, i) => lengths.slice(0, i + 1).reduce((a, b) => a + b, 0))]);
  const tokens = Int32Array.from({ length: starts.at(-1)! }, (_, i) => (i % 50 === 7 ? 0 : 3 + ((i * 13) % 7)));
  return { tokens, starts, unk: 0, characters: 5 * tokens.length };
}

interface Recording extends Scorer {
  /** Lengths of the sentences of each scoreSentences call, and of each scoreSequence piece. */
  readonly groups: number[][];
  readonly pieces: number[];
}

/**
 * A scorer whose log-probabilities hash the whole history since the last reset (a piece scored from a lost or
 * wrong state changes them), with the bulk paths it is given.
 */
function hashScorer(paths: { sequence?: boolean; sentences?: boolean }): Recording {
  let h = 0;
  const groups: number[][] = [];
  const pieces: number[] = [];
  const logProb = (next: number): number => -1 - ((h * 31 + next) % 97) / 10;
  const feed = (t: number): void => {
    h = (h * 31 + t) % 100_003;
  };
  const scorer: Recording = {
    vocabSize: 10,
    groups,
    pieces,
    reset: () => {
      h = 0;
    },
    logProb,
    distribution: (out) => void out.fill(1 / 10),
    feed,
  };
  if (paths.sequence) {
    scorer.scoreSequence = (seq, out) => {
      pieces.push(seq.length);
      for (let i = 0; i < seq.length; i++) {
        out[i] = logProb(seq[i]!);
        feed(seq[i]!);
      }
    };
  }
  if (paths.sentences) {
    scorer.scoreSentences = (sentences, outs) => {
      groups.push(sentences.map((s) => s.length));
      sentences.forEach((s, j) => {
        expect(s.at(-1)).toBe(EOS_ID);
        h = 0;
        for (let i = 0; i < s.length; i++) {
          outs[j]![i] = logProb(s[i]!);
          feed(s[i]!);
        }
      });
      h = 0;
    };
  }
  return scorer;
}

describe('evaluate through the bulk paths', () => {
  // Brown-like lengths, empty sentences, and one longer than a scoring piece.
  const lengths = Array.from({ length: 900 }, (_, i) => (i === 400 ? 3 * SCORING_PIECE + 17 : i % 97 === 0 ? 0 : 1 + ((i * 37) % 60)));
  const split = splitOf(lengths);
  const total = split.tokens.length + lengths.length;

  for (const mode of ['sentence', 'stream'] as const) {
    it(`${mode} mode: every path gives the token-by-token log-probabilities and metrics, exactly`, () => {
      const run = (scorer: Scorer) => {
        const perToken = new Float64Array(total);
        return { metrics: evaluate(scorer, split, { mode, perToken }), perToken };
      };
      const slow = run(hashScorer({}));
      for (const paths of [{ sequence: true }, { sentences: true }, { sequence: true, sentences: true }]) {
        const fast = run(hashScorer(paths));
        expect(fast.perToken).toEqual(slow.perToken);
        expect(fast.metrics).toEqual(slow.metrics);
      }
    });
  }

  it('sentence mode hands scoreSentences runs of consecutive sentences within the group budget, a long one apart', () => {
    const scorer = hashScorer({ sequence: true, sentences: true });
    evaluate(scorer, split, { mode: 'sentence' });
    const grouped = scorer.groups.flat();
    // Every sentence but the long one, in order, each with its `</s>`.
    expect(grouped).toEqual(lengths.filter((_, i) => i !== 400).map((n) => n + 1));
    for (const g of scorer.groups) expect(g.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(SENTENCE_GROUP_TOKENS);
    // Groups are full: the next sentence would not have fitted (except before the long sentence and at the end).
    const sizes = scorer.groups.map((g) => g.reduce((a, b) => a + b, 0));
    expect(sizes.filter((s) => s < SENTENCE_GROUP_TOKENS - 61).length).toBeLessThanOrEqual(2);
    // The long sentence: reset, then pieces of SCORING_PIECE.
    expect(scorer.pieces).toEqual([SCORING_PIECE, SCORING_PIECE, SCORING_PIECE, 18]);
  });

  it('stream mode scores pieces of SCORING_PIECE tokens across sentence boundaries, never scoreSentences', () => {
    const scorer = hashScorer({ sequence: true, sentences: true });
    evaluate(scorer, split, { mode: 'stream' });
    expect(scorer.groups).toEqual([]);
    expect(scorer.pieces.slice(0, -1).every((n) => n === SCORING_PIECE)).toBe(true);
    expect(scorer.pieces.reduce((a, b) => a + b, 0)).toBe(total);
    expect(scorer.pieces.at(-1)).toBe(total - (scorer.pieces.length - 1) * SCORING_PIECE);
  });
});
