import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, describe, expect, it } from 'vitest';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { loadCheckpoint, saveCheckpoint } from '../../models/checkpoint.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import type { Protocol } from '../../models/types.ts';
import { referenceCorpus, trainNgram } from './helpers.ts';

const corpus = referenceCorpus('open');
const dir = mkdtempSync(join(tmpdir(), 'ngram-norm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Histories of training text (seen n-grams) and of random ids (mostly unseen), 25 of each. */
function histories(seed: number, longest: number): number[][] {
  const rng = xoroshiro128plus(seed);
  const out: number[][] = [];
  const text = corpus.train.tokens;
  for (let i = 0; i < 25; i++) {
    const start = uniformInt(rng, 0, text.length - longest);
    out.push(Array.from(text.subarray(start, start + uniformInt(rng, 0, longest))));
    out.push(Array.from({ length: uniformInt(rng, 0, longest) }, () => uniformInt(rng, 0, corpus.vocab.size - 1)));
  }
  return out;
}

const CASES: [Record<string, unknown>, Protocol][] = [
  [{ order: 1, smoothing: 'mkn' }, 'sentence'],
  [{ order: 3, smoothing: 'mkn' }, 'sentence'],
  [{ order: 5, smoothing: 'mkn' }, 'stream'],
  [{ order: 4, smoothing: 'kn' }, 'sentence'],
  [{ order: 3, smoothing: 'add-k', k: 0.1 }, 'sentence'],
  [{ order: 2, smoothing: 'add-k' }, 'stream'],
  [{ order: 3, smoothing: 'mle' }, 'sentence'],
  [{ order: 6, smoothing: 'mkn' }, 'sentence'],
  [{ order: 6, smoothing: 'kn' }, 'stream'],
  [{ order: 3, smoothing: 'witten-bell' }, 'sentence'],
  [{ order: 5, smoothing: 'witten-bell' }, 'stream'],
  [{ order: 4, smoothing: 'absolute-discounting' }, 'sentence'],
  [{ order: 3, smoothing: 'absolute-discounting', discount: [0.3, 0.75] }, 'stream'],
  [{ order: 3, smoothing: 'katz' }, 'sentence'],
  [{ order: 5, smoothing: 'katz', gtMax: 3 }, 'stream'],
  [{ order: 3, smoothing: 'kn-backoff' }, 'sentence'],
  [{ order: 5, smoothing: 'mkn-backoff' }, 'sentence'],
  [{ order: 4, smoothing: 'mkn-backoff' }, 'stream'],
  [{ order: 3, smoothing: 'jelinek-mercer' }, 'sentence'],
  [{ order: 4, smoothing: 'jelinek-mercer', buckets: 5 }, 'stream'],
  [{ order: 4, smoothing: 'mkn', prune: [0, 1, 1] }, 'sentence'],
  [{ order: 5, smoothing: 'kn', prune: [0, 0, 1, 2] }, 'stream'],
  [{ order: 3, smoothing: 'mkn-backoff', prune: [0, 1] }, 'sentence'],
  [{ order: 3, smoothing: 'katz', prune: [0, 1] }, 'stream'],
  [{ order: 3, smoothing: 'witten-bell', prune: [0, 1, 2] }, 'sentence'],
  [{ order: 4, smoothing: 'mkn', entropyPrune: 1e-7 }, 'sentence'],
  [{ order: 3, smoothing: 'jelinek-mercer', prune: [0, 1], entropyPrune: 1e-6 }, 'stream'],
];

describe('every n-gram scorer', () => {
  for (const [hp, mode] of CASES) {
    it(`${JSON.stringify(hp)} (${mode} mode): distributions sum to 1, agree with logProb, <s> gets 0`, async () => {
      const model = await trainNgram(corpus, hp, mode);
      const scorer = model.scorer();
      const dist = new Float64Array(corpus.vocab.size);
      const rng = xoroshiro128plus(7);
      for (const history of histories(3, 7)) {
        scorer.reset();
        for (const t of history) scorer.feed(t);
        scorer.distribution(dist);
        let sum = 0;
        for (const p of dist) sum += p;
        expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
        expect(dist[BOS_ID]).toBe(0);
        for (let i = 0; i < 20; i++) {
          const w = uniformInt(rng, 0, corpus.vocab.size - 1);
          expect(scorer.logProb(w)).toBe(Math.log(dist[w]!));
        }
      }
    });
  }

  it('scoreSequence equals logProb then feed, token by token', async () => {
    for (const [hp, mode] of [CASES[2]!, CASES[4]!, CASES[6]!]) {
      const model = await trainNgram(corpus, hp, mode);
      const tokens = corpus.test.tokens.subarray(0, 2000);
      const fast = new Float64Array(tokens.length);
      const a = model.scorer();
      a.reset();
      if (!a.scoreSequence) throw new Error('expected a scoreSequence fast path or none at all');
      a.scoreSequence(tokens, fast);
      const b = model.scorer();
      b.reset();
      const slow = Array.from(tokens, (t) => {
        const lp = b.logProb(t);
        b.feed(t);
        return lp;
      });
      expect(Array.from(fast)).toEqual(slow);
    }
  });
});

describe('sizes and checkpoints', () => {
  it('counts stored probabilities and back-off weights, and the bytes of its tables', async () => {
    const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn' });
    const [n1, n2, n3] = model.ngramCounts() as [number, number, number];
    expect(model.parameterCount()).toBe(n1 + n2 + n3 + (n1 + n2));
    // Per n-gram: float32 log10 p; below the highest order a float32 back-off weight and a child offset of
    // ⌈log2 (size of the next order + 1)⌉ bits (+1 per order); above unigrams a word of ⌈log2 V⌉ bits; each
    // packed column in whole 32-bit words.
    const packed = (count: number, bits: number): number => 4 * Math.ceil((count * bits) / 32);
    const wordBits = Math.ceil(Math.log2(n1));
    const offsets = packed(n1 + 1, Math.ceil(Math.log2(n2 + 1))) + packed(n2 + 1, Math.ceil(Math.log2(n3 + 1)));
    expect(model.byteSize()).toBe(4 * (n1 + n2 + n3) + 4 * (n1 + n2) + offsets + packed(n2, wordBits) + packed(n3, wordBits));
    const counts = await trainNgram(corpus, { order: 3, smoothing: 'add-k' });
    expect(counts.parameterCount()).toBe(n1 + n2 + n3);
  });

  for (const hp of [
    { order: 4, smoothing: 'mkn' },
    { order: 3, smoothing: 'add-k', k: 0.5 },
    { order: 2, smoothing: 'mle' },
  ]) {
    it(`save → load gives identical log-probs (${hp.smoothing})`, async () => {
      const model = await trainNgram(corpus, hp);
      const path = join(dir, hp.smoothing);
      saveCheckpoint(path, model.toCheckpoint());
      const loaded = ngramPlugin.fromCheckpoint(loadCheckpoint(path)) as NgramModel;
      expect(loaded.hyperParameters).toEqual(hp);
      expect(loaded.info).toEqual(model.info);
      expect(loaded.byteSize()).toBe(model.byteSize());
      const before = new Float64Array(20_000);
      const after = new Float64Array(20_000);
      const m1 = evaluate(model.scorer(), corpus.test, { mode: 'sentence', perToken: before });
      const m2 = evaluate(loaded.scorer(), corpus.test, { mode: 'sentence', perToken: after });
      expect(after).toEqual(before);
      expect(m2.perplexity).toBe(m1.perplexity);
    });
  }

  it('an untrained model is uniform over every word but <s>, and saves too', () => {
    const model = ngramPlugin.create({ order: 3 }, corpus.vocab) as NgramModel;
    const scorer = model.scorer();
    scorer.reset();
    expect(scorer.logProb(5)).toBeCloseTo(Math.log(1 / (corpus.vocab.size - 1)), 6);
    const path = join(dir, 'untrained');
    saveCheckpoint(path, model.toCheckpoint());
    expect(ngramPlugin.fromCheckpoint(loadCheckpoint(path)).scorer().logProb(5)).toBe(scorer.logProb(5));
  });

  it('a checkpoint with a damaged table is a clear error', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'kn' });
    const data = model.toCheckpoint();
    const arrays = { ...data.arrays, words2: new Int32Array(3) };
    expect(() => ngramPlugin.fromCheckpoint({ ...data, arrays })).toThrow(/ngram checkpoint: array "words2" is missing or has the wrong type or length/);
    expect(() => ngramPlugin.fromCheckpoint({ ...data, meta: null })).toThrow(/ngram checkpoint: meta/);
  });
});
