import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../harness/metrics.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import type { BackoffTables } from '../../models/ngram/tables.ts';
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
      // Where lmplz dropped every continuation of a context its back-off weight is exactly 1 (log10 0), and so is ours
      // (quantisation keeps exact zeros apart, so 1 − ε would change the quantised model).
      const read = readArpa(`${DIR}${name}.arpa.gz`);
      const arpa = read.model.tables as BackoffTables;
      const ours = model.tables as BackoffTables;
      let exact = 0;
      for (let k = 2; k < ref.order; k++) {
        arpa.trie.forEachNgram(k, (i, ids) => {
          if (arpa.logBackoff[k - 1]![i] !== 0) return;
          const j = ours.trie.find(Array.from(ids, (id) => model.vocab.id(read.vocab.word(id))));
          expect(ours.logBackoff[k - 1]![j]).toBe(0);
          exact++;
        });
      }
      expect(exact).toBeGreaterThan(100);

      const m = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
      expect(m.tokens).toBe(ref.tokens);
      expect(m.unk).toBe(ref.oov);
      expect(Math.abs(m.perplexity / ref.perplexity_including_oov - 1)).toBeLessThan(1e-6);
      expect(Math.abs(m.perplexityWithoutUnk / ref.perplexity_excluding_oov - 1)).toBeLessThan(1e-6);
    });
  }
});
