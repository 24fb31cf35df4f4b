import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import type { BackoffTables } from '../../models/ngram/tables.ts';
import { backoffWeight, KENLM_DIR, storedProbability, tinyCorpus, trainNgram } from './helpers.ts';

/**
 * IRSTLM 6.00.05 (Debian irstlm) as an independent implementation: `test/fixtures/irstlm/make-irstlm.sh` writes its
 * interpolated Witten-Bell (`tlm -lm=wb`) and shift-beta (`-lm=sb`, absolute discounting with β = n1 / (n1 + 2 n2)
 * per order) trigrams of the first 400 sentences of the KenLM reference text, singleton pruning off. IRSTLM writes
 * 6 significant digits, hence the tolerance. IRSTLM treats
 * `<s>` as a word of its unigram distribution and smooths the unigrams towards a dictionary of 10^7 words, so the
 * unigrams differ by design; above them, α(w | h) = p(w | h) − γ(h) p(w | h′) and γ(h) are compared for every
 * bigram and trigram IRSTLM stores.
 */
const dir = fileURLToPath(new URL('../fixtures/irstlm/', import.meta.url));
const lines = readFileSync(`${KENLM_DIR}open/train.txt`, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .slice(0, 400)
  .map((l) => l.trim().split(/\s+/).join(' '));
const corpus = tinyCorpus(lines);

interface Split {
  readonly p: number;
  readonly alpha: number;
  readonly gamma: number;
}

/** IRSTLM writes log10 values with 6 significant digits: probabilities are good to about 1.2e-5 of themselves. */
const PRINTED = 3e-5;

function split(tables: BackoffTables, ids: number[]): Split {
  const gamma = backoffWeight(tables, ids.slice(0, -1));
  const p = storedProbability(tables, ids);
  return { p, alpha: p - gamma * storedProbability(tables, ids.slice(1)), gamma };
}

/** IRSTLM's and our α, γ of every bigram and trigram IRSTLM stores whose words do not include `<s>`. */
function pairs(theirs: ReturnType<typeof readArpa>, ours: NgramModel, order: number): { theirs: Split; ours: Split }[] {
  const theirTables = theirs.model.tables as BackoffTables;
  // `tables` unpacks the stored trie on each call: once here.
  const ourTables = ours.tables as BackoffTables;
  const out: { theirs: Split; ours: Split }[] = [];
  theirTables.trie.forEachNgram(order, (_i, ids) => {
    const words = Array.from(ids, (id) => theirs.vocab.word(id));
    // IRSTLM's padding adds "<s> <s>" to what follows <s>, so contexts that start with <s> differ.
    if (words.includes('<s>')) return;
    out.push({
      theirs: split(theirTables, Array.from(ids)),
      ours: split(
        ourTables,
        words.map((w) => ours.vocab.id(w)),
      ),
    });
  });
  return out;
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(a);

describe('IRSTLM as a reference', () => {
  it('witten-bell: the same bigrams and trigrams as IRSTLM -lm=wb, with its α and γ', async () => {
    const theirs = readArpa(`${dir}irstlm-wb-order3.arpa.gz`);
    const ours = await trainNgram(corpus, { order: 3, smoothing: 'witten-bell' });
    // IRSTLM also stores its history padding, "<s> <s>" (one bigram) and "<s> <s> The", "<s> <s> <s>" (two trigrams).
    expect(ours.ngramCounts().slice(1)).toEqual(
      theirs.model
        .ngramCounts()
        .slice(1)
        .map((n, i) => n - (i + 1)),
    );
    for (const order of [2, 3]) {
      const all = pairs(theirs, ours, order);
      expect(all.length).toBeGreaterThan(6000);
      for (const { theirs: t, ours: o } of all) {
        expect(relative(t.gamma, o.gamma)).toBeLessThan(PRINTED);
        expect(Math.abs(t.alpha - o.alpha)).toBeLessThan(PRINTED * t.p);
      }
    }
  });

  it('absolute-discounting: IRSTLM -lm=sb has the same form, γ ∝ N1+(h •) / c(h •); with its β the same α and γ', async () => {
    const theirs = readArpa(`${dir}irstlm-sb-order3.arpa.gz`);
    const ours = await trainNgram(corpus, { order: 3, smoothing: 'absolute-discounting' });
    // One ratio β_IRSTLM / β_ours per order: IRSTLM counts its padding n-grams in the count-of-counts.
    const beta = ours.info.discounts!.map((d) => d[0]!);
    for (const order of [2, 3]) {
      const all = pairs(theirs, ours, order);
      const ratio = all[0]!.theirs.gamma / all[0]!.ours.gamma;
      for (const { theirs: t, ours: o } of all) expect(relative(ratio, t.gamma / o.gamma)).toBeLessThan(PRINTED);
      expect(Math.abs(ratio - 1)).toBeLessThan(1e-3);
      beta[order - 1] = beta[order - 1]! * ratio;
    }
    const withTheirBeta = await trainNgram(corpus, { order: 3, smoothing: 'absolute-discounting', discount: beta });
    for (const order of [2, 3]) {
      for (const { theirs: t, ours: o } of pairs(theirs, withTheirBeta, order)) {
        expect(relative(t.gamma, o.gamma)).toBeLessThan(PRINTED);
        expect(Math.abs(t.alpha - o.alpha)).toBeLessThan(PRINTED * t.p);
      }
    }
  });
});
