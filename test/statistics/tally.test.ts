import { describe, expect, it } from 'vitest';
import { EOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { FREQUENCY_BUCKETS, frequencyBucket } from '../../harness/report/data.ts';
import { tallyTokens } from '../../harness/statistics/tally.ts';
import { UserError } from '../../errors/user-error.ts';

describe('tallyTokens (SRILM compare-ppls)', () => {
  it('counts better, worse and equal tokens overall and by frequency bucket, shares summing to 1', () => {
    // Targets: <unk>, </s>, a word seen twice, a word seen 5000 times, and that word again.
    const trainCounts = new Uint32Array([0, 0, 0, 2, 5000]);
    const targets = [UNK_ID, EOS_ID, 3, 4, 4];
    const bucketOf = Uint8Array.from(targets, (t) => frequencyBucket(t, trainCounts));
    const a = new Float32Array([-1, -2, -3, -Infinity, -0.5]);
    // −2 + 1e-9 rounds to the same float32 as −2: equal, as the stored runs would be.
    const b = new Float64Array([-2, -2 + 1e-9, -1, -Infinity, -0.25]);
    const { overall, byBucket } = tallyTokens(a, b, { bucketOf, bucketNames: FREQUENCY_BUCKETS.map((x) => x.name) });
    expect(overall).toEqual({ tokens: 5, better: 1, worse: 2, equal: 2, betterShare: 0.2, worseShare: 0.4, equalShare: 0.4 });
    expect(overall.betterShare + overall.worseShare + overall.equalShare).toBe(1);
    const named = Object.fromEntries(byBucket.map((x) => [x.bucket, [x.better, x.worse, x.equal]]));
    expect(named).toEqual({
      '<unk>': [1, 0, 0],
      '0': [0, 0, 0],
      '1–3': [0, 1, 0],
      '4–10': [0, 0, 0],
      '11–100': [0, 0, 0],
      '101–1000': [0, 0, 0],
      '1000+': [0, 1, 1],
      '</s>': [0, 0, 1],
    });
    for (const x of byBucket) if (x.tokens) expect(x.betterShare + x.worseShare + x.equalShare).toBeCloseTo(1, 15);
    expect(byBucket.reduce((n, x) => n + x.tokens, 0)).toBe(5);
  });

  it('refuses runs of different lengths and unknown buckets', () => {
    expect(() => tallyTokens(new Float32Array(2), new Float32Array(3))).toThrow(UserError);
    expect(() => tallyTokens(new Float32Array(1), new Float32Array(1), { bucketOf: [3], bucketNames: ['x'] })).toThrow(/bucket 3/);
  });
});
