import { describe, expect, it } from 'vitest';
import { UNK_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import {
  expectSameAsArpa,
  KENLM_DIR,
  lmplzStatistics,
  queryPerplexities,
  expectQueryTokens,
  referenceCorpus,
  trainNgram,
  type ReferenceSet,
} from './helpers.ts';

const MODELS: [ReferenceSet, number][] = [
  ['open', 2],
  ['open', 3],
  ['open', 5],
  ['closed', 3],
  ['closed', 5],
];

describe('modified Kneser-Ney estimated as KenLM lmplz does', () => {
  const reference = queryPerplexities();

  for (const [set, order] of MODELS) {
    it(`${set} order ${order}: same n-grams, discounts and test perplexity as lmplz + query`, async () => {
      const corpus = referenceCorpus(set);
      const model = await trainNgram(corpus, { order, smoothing: 'mkn' });
      const stats = lmplzStatistics(set, order);
      expect(model.ngramCounts()).toEqual(stats.counts);
      // lmplz prints its single-precision discounts with 6 significant digits.
      expect(model.info.discounts!.map((d) => d.map((x) => Number(x.toPrecision(6))))).toEqual(stats.discounts);

      const m = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
      const ref = reference[`${set}/order${order}`]!;
      expect(m.tokens).toBe(ref.tokens);
      expect(m.unk).toBe(ref.oov);
      expect(Math.abs(m.perplexity / ref.perplexity_including_oov - 1)).toBeLessThan(1e-6);
      expect(Math.abs(m.perplexityWithoutUnk / ref.perplexity_excluding_oov - 1)).toBeLessThan(1e-6);
    });
  }

  it('open order 3: every token has the probability and n-gram order query printed', async () => {
    const model = await trainNgram(referenceCorpus('open'), { order: 3, smoothing: 'mkn' });
    expectQueryTokens(model);
  });

  it('open order 3: every n-gram, probability and back-off weight equals the ARPA file lmplz wrote', async () => {
    const model = await trainNgram(referenceCorpus('open'), { order: 3, smoothing: 'mkn' });
    expectSameAsArpa(model, `${KENLM_DIR}open/order3.arpa.gz`);
    expect(model.ngramCounts()).toEqual([10727, 42561, 58504]);
  });

  it('closed order 3 with <unk> in place of @@UNK@@: <unk> is an ordinary word with its own counts', async () => {
    const original = referenceCorpus('closed');
    const renamed = referenceCorpus('closed', (w) => (w === '@@UNK@@' ? '<unk>' : w));
    const a = await trainNgram(original, { order: 3, smoothing: 'mkn' });
    const b = await trainNgram(renamed, { order: 3, smoothing: 'mkn' });
    // Same counts and discounts as lmplz, but for the one zero-count <unk> KenLM keeps beside @@UNK@@.
    const stats = lmplzStatistics('closed', 3);
    expect(b.ngramCounts()).toEqual([stats.counts[0]! - 1, ...stats.counts.slice(1)]);
    expect(b.info.discounts!.map((d) => d.map((x) => Number(x.toPrecision(6))))).toEqual(stats.discounts);
    // Every probability is the same sum of discounted counts plus Πγ × uniform; only the uniform share
    // differs, 1/(|V|−1) over one word fewer. Compare tokens whose history and word were in the training
    // vocabulary (an unseen word was a zero-count <unk> before and is the counted <unk> now).
    const n = original.test.tokens.length + original.test.starts.length - 1;
    const lpA = new Float64Array(n);
    const lpB = new Float64Array(n);
    evaluate(a.scorer(), original.test, { mode: 'sentence', perToken: lpA });
    evaluate(b.scorer(), renamed.test, { mode: 'sentence', perToken: lpB });
    const V = b.vocab.size;
    const bound = 1 / ((V - 1) * V);
    let compared = 0;
    let k = 0;
    for (let s = 0; s + 1 < original.test.starts.length; s++) {
      const sentence = [...original.test.tokens.subarray(original.test.starts[s], original.test.starts[s + 1]), 2];
      sentence.forEach((_, i) => {
        const window = sentence.slice(Math.max(0, i - 2), i + 1);
        if (!window.includes(UNK_ID)) {
          const pa = Math.exp(lpA[k]!);
          expect(Math.abs(Math.exp(lpB[k]!) - pa)).toBeLessThan(bound + 1e-6 * pa);
          compared++;
        }
        k++;
      });
    }
    expect(compared).toBeGreaterThan(13_000);
    const unk = evaluate(b.scorer(), renamed.test, { mode: 'sentence' });
    expect(unk.unk).toBe(2662); // 1,196 unseen words and 1,466 @@UNK@@ tokens are <unk> now
  });
});
