import { describe, expect, it } from 'vitest';
import type { EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { gatherBatch, windowExamples } from '../../models/window/examples.ts';

/** Two sentences: [10 11 12] and [20 21]. */
const split: EncodedSplit = { tokens: Int32Array.from([10, 11, 12, 20, 21]), starts: Int32Array.from([0, 3, 5]), unk: 0, characters: 0 };
const S = BOS_ID;
const E = EOS_ID;

function allExamples(mode: 'sentence' | 'stream', n: number): number[][] {
  const ex = windowExamples(split, n, mode);
  const count = ex.positions.length;
  const contexts = new Int32Array(count * (n - 1));
  const targets = new Int32Array(count);
  gatherBatch(
    ex,
    Int32Array.from({ length: count }, (_, i) => i),
    0,
    count,
    n,
    contexts,
    targets,
  );
  return Array.from({ length: count }, (_, i) => [...contexts.subarray(i * (n - 1), (i + 1) * (n - 1)), targets[i]!]);
}

describe('window training examples', () => {
  it('sentence mode: every sentence starts from <s> padding; words and </s> are predicted', () => {
    expect(allExamples('sentence', 3)).toEqual([
      [S, S, 10],
      [S, 10, 11],
      [10, 11, 12],
      [11, 12, E],
      [S, S, 20],
      [S, 20, 21],
      [20, 21, E],
    ]);
  });

  it('stream mode: the history crosses sentence boundaries; only the start sees <s>', () => {
    expect(allExamples('stream', 3)).toEqual([
      [S, S, 10],
      [S, 10, 11],
      [10, 11, 12],
      [11, 12, E],
      [12, E, 20],
      [E, 20, 21],
      [20, 21, E],
    ]);
  });

  it('gathers a batch in the given order', () => {
    const ex = windowExamples(split, 2, 'stream');
    const contexts = new Int32Array(2);
    const targets = new Int32Array(2);
    gatherBatch(ex, Int32Array.from([6, 0, 3]), 1, 2, 2, contexts, targets);
    expect([...contexts, ...targets]).toEqual([S, 12, 10, E]);
  });
});
