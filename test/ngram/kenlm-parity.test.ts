import { describe, expect, it } from 'vitest';
import { evaluate } from '../../harness/metrics.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import {
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
    const arpa = readArpa(`${KENLM_DIR}open/order3.arpa.gz`).model;
    expect(model.ngramCounts()).toEqual(arpa.ngramCounts());
    const ours = model.tables;
    const theirs = arpa.tables;
    if (ours.kind !== 'backoff' || theirs.kind !== 'backoff') throw new Error('expected back-off tables');
    let worst = 0;
    let compared = 0;
    for (let k = 1; k <= 3; k++) {
      theirs.trie.forEachNgram(k, (i, arpaIds) => {
        const words = Array.from(arpaIds, (id) => model.vocab.id(arpa.vocab.word(id)));
        const j = ours.trie.find(words);
        expect(j).toBeGreaterThanOrEqual(0);
        if (k === 1 && words[0] === 1) return; // <s>: never predicted here, a placeholder in the file
        worst = Math.max(worst, Math.abs(ours.logProb[k - 1]![j]! - theirs.logProb[k - 1]![i]!));
        if (k < 3) worst = Math.max(worst, Math.abs(ours.logBackoff[k - 1]![j]! - theirs.logBackoff[k - 1]![i]!));
        compared++;
      });
    }
    expect(compared).toBe(10727 + 42561 + 58504 - 1);
    // Single precision with ~8 printed digits: |log10| < 10 leaves errors below 1e-6.
    expect(worst).toBeLessThan(1e-6);
  });
});
