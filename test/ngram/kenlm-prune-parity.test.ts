import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../harness/metrics.ts';
import { expectSameAsArpa, parseLmplzStatistics, referenceCorpus, trainNgram } from './helpers.ts';

/** lmplz --prune on the open reference set (test/fixtures/kenlm-prune/make-kenlm-prune.sh). */
const DIR = fileURLToPath(new URL('../fixtures/kenlm-prune/', import.meta.url));

interface PrunedReference {
  readonly order: number;
  readonly prune: number[];
  readonly perplexity_including_oov: number;
  readonly perplexity_excluding_oov: number;
  readonly oov: number;
  readonly tokens: number;
}

const references = JSON.parse(readFileSync(`${DIR}perplexities.json`, 'utf8')) as Record<string, PrunedReference>;

describe('count pruning as KenLM lmplz --prune', () => {
  for (const [name, ref] of Object.entries(references)) {
    it(`${name}: the same kept n-grams, discounts, probabilities, back-off weights and test perplexity as lmplz + query`, async () => {
      const corpus = referenceCorpus('open');
      const model = await trainNgram(corpus, { order: ref.order, smoothing: 'mkn', prune: ref.prune });
      const stats = parseLmplzStatistics(`${DIR}${name}-statistics.txt`);
      expect(model.ngramCounts()).toEqual(stats.counts);
      expect(model.info.kept).toEqual(stats.counts.map((kept, i) => [kept, stats.estimated[i]]));
      // Something was pruned at every order above the threshold-0 ones.
      expect(stats.counts.some((kept, i) => kept < stats.estimated[i]!)).toBe(true);
      expect(model.info.discounts!.map((d) => d.map((x) => Number(x.toPrecision(6))))).toEqual(stats.discounts);
      expectSameAsArpa(model, `${DIR}${name}.arpa.gz`);

      const m = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
      expect(m.tokens).toBe(ref.tokens);
      expect(m.unk).toBe(ref.oov);
      expect(Math.abs(m.perplexity / ref.perplexity_including_oov - 1)).toBeLessThan(1e-6);
      expect(Math.abs(m.perplexityWithoutUnk / ref.perplexity_excluding_oov - 1)).toBeLessThan(1e-6);
    });
  }
});
