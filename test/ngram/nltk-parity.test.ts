import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BackoffTables } from '../../models/ngram/tables.ts';
import { backoffWeight as backoff, KENLM_DIR, storedProbability as probability, tinyCorpus, trainNgram } from './helpers.ts';

/**
 * NLTK's `nltk.lm` (3.8, Debian python3-nltk) as an independent implementation of interpolated Witten-Bell
 * and absolute discounting: `test/fixtures/nltk/make-nltk.py` writes NLTK's α(w | h) and γ(h) (p(w | h) =
 * α + γ p(w | h′)) for sampled pairs of orders 2 and 3 on the first 400 sentences of the KenLM reference
 * text. NLTK's unigram level is the maximum-likelihood unigram (the project's interpolates with the uniform
 * distribution, as Chen & Goodman), so the unigrams are not compared: α and γ above it do not depend on it.
 */
interface Row {
  readonly context: string[];
  readonly word: string;
  readonly alpha: number;
  readonly gamma: number;
}
interface Fixture {
  readonly sentences: number;
  readonly discount: number;
  readonly methods: Record<string, Row[]>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/nltk/nltk-interpolated.json', import.meta.url), 'utf8')) as Fixture;
const lines = readFileSync(`${KENLM_DIR}open/train.txt`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, fixture.sentences)
  .map((l) => l.trim().split(/\s+/).join(' '));
const corpus = tinyCorpus(lines);

describe('NLTK nltk.lm as a reference', () => {
  for (const [smoothing, hp] of [
    ['witten-bell', {}],
    ['absolute-discounting', { discount: fixture.discount }],
  ] as const) {
    it(`${smoothing}: α(w | h) and γ(h) equal NLTK's at orders 2 and 3 (${fixture.methods[smoothing]!.length} pairs)`, async () => {
      const model = await trainNgram(corpus, { order: 3, smoothing, ...hp });
      const tables = model.tables as BackoffTables;
      let seen = 0;
      for (const row of fixture.methods[smoothing]!) {
        const h = row.context.map((w) => model.vocab.id(w));
        const w = model.vocab.id(row.word);
        const gamma = backoff(tables, h);
        const alpha = probability(tables, [...h, w]) - gamma * probability(tables, [...h.slice(1), w]);
        expect(gamma).toBeCloseTo(row.gamma, 6);
        expect(alpha).toBeCloseTo(row.alpha, 6);
        if (row.alpha > 0) seen++;
      }
      expect(seen).toBeGreaterThan(50);
    });
  }
});
