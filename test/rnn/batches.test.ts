import { describe, expect, it } from 'vitest';
import { predictedTokens, type EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { sentenceSegments, streamSegments } from '../../models/rnn/batches.ts';
import { IGNORE_INDEX } from '../../numerics/cross-entropy.ts';

/** Sentences of lengths 3, 1, 5, 2, 4, 7 with distinct word ids from 10 on. */
function split(): EncodedSplit {
  const lengths = [3, 1, 5, 2, 4, 7];
  const starts = [0];
  for (const l of lengths) starts.push(starts.at(-1)! + l);
  const tokens = Int32Array.from({ length: starts.at(-1)! }, (_, i) => 10 + i);
  return { tokens, starts: Int32Array.from(starts), unk: 0, characters: 0 };
}

/** A deterministic permutation (reverse), standing in for a seeded shuffle. */
const reverse = (a: Int32Array): void => void a.reverse();

describe('training batches', () => {
  it('stream mode cuts <s> w… </s> w… </s> … into B parallel streams carried across segments', () => {
    const s = split();
    const segments = streamSegments(s, 2, 4);
    const stream = [BOS_ID];
    for (let i = 0; i < 6; i++) stream.push(...s.tokens.subarray(s.starts[i], s.starts[i + 1]), EOS_ID);
    // 28 targets, 2 streams of 14: segments of 4, 4, 4, 2 steps.
    expect(segments.map((g) => [g.steps, g.batch, g.reset])).toEqual([
      [4, 2, true],
      [4, 2, false],
      [4, 2, false],
      [2, 2, false],
    ]);
    for (let b = 0; b < 2; b++) {
      const inputs = segments.flatMap((g) => Array.from({ length: g.steps }, (_, t) => g.inputs[t * 2 + b]));
      const targets = segments.flatMap((g) => Array.from({ length: g.steps }, (_, t) => g.targets[t * 2 + b]));
      expect(inputs).toEqual(stream.slice(b * 14, b * 14 + 14));
      expect(targets).toEqual(stream.slice(b * 14 + 1, b * 14 + 15));
    }
    expect(segments.reduce((n, g) => n + g.tokens, 0)).toBe(28);
  });

  it('stream mode uses fewer streams when the text is short', () => {
    const segments = streamSegments(split(), 32, 10);
    expect(segments[0]!.batch).toBe(2);
  });

  it('sentence mode starts each sentence from zero with <s>, predicts every word and </s> once, masks padding', () => {
    const s = split();
    const segments = sentenceSegments(s, 2, 3, reverse);
    const seen = new Map<string, number>();
    let sequences: number[][] = [];
    for (const g of segments) {
      if (g.reset) sequences = Array.from({ length: g.batch }, () => []);
      else expect(g.batch).toBe(sequences.length);
      let tokens = 0;
      for (let t = 0; t < g.steps; t++) {
        for (let b = 0; b < g.batch; b++) {
          const target = g.targets[t * g.batch + b]!;
          if (target === IGNORE_INDEX) continue;
          tokens++;
          sequences[b]!.push(g.inputs[t * g.batch + b]!, target);
          // A complete sentence: <s> w1 w1 w2 … wn </s> as (input, target) pairs.
          if (target === EOS_ID) {
            const seq = sequences[b]!;
            const inputs = seq.filter((_, i) => i % 2 === 0);
            const outs = seq.filter((_, i) => i % 2 === 1);
            expect(inputs[0]).toBe(BOS_ID);
            expect(inputs.slice(1)).toEqual(outs.slice(0, -1));
            const key = outs.slice(0, -1).join(' ');
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
      }
      expect(g.tokens).toBe(tokens);
    }
    expect(segments.reduce((n, g) => n + g.tokens, 0)).toBe(predictedTokens(s));
    const expected = Array.from({ length: 6 }, (_, i) => Array.from(s.tokens.subarray(s.starts[i], s.starts[i + 1])).join(' '));
    expect([...seen.keys()].sort()).toEqual(expected.sort());
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  it('sentence mode groups sentences of similar length', () => {
    const segments = sentenceSegments(split(), 2, 100, reverse);
    // Sorted lengths (with </s>) 2, 3, 4, 5, 6, 8 pair up as (2,3), (4,5), (6,8): padding 1 + 1 + 2.
    const padding = segments.reduce((n, g) => n + g.steps * g.batch - g.tokens, 0);
    expect(padding).toBe(4);
  });
});
