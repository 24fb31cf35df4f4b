import { describe, expect, it } from 'vitest';
import { encodeCorpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { entropyPrune, relativeEntropyCosts, suffixLinks } from '../../models/ngram/entropy-pruning.ts';
import type { BackoffTables } from '../../models/ngram/tables.ts';
import { subsetTables } from '../../models/ngram/trie-subset.ts';
import { referenceCorpus, trainNgram } from './helpers.ts';

/** log10 p(w | context) of a back-off model by its definition, one trie lookup at a time (independent of the scorer). */
function log10p(t: BackoffTables, context: readonly number[], w: number): number {
  if (w === BOS_ID) return -Infinity;
  const i = t.trie.find([...context, w]);
  if (i >= 0) return t.logProb[context.length]![i]!;
  const h = t.trie.find(context);
  return (h >= 0 ? t.logBackoff[context.length - 1]![h]! : 0) + log10p(t, context.slice(1), w);
}

/** The first 300 sentences of the open reference set, as a corpus of its own. */
function smallCorpus(): EncodedCorpus {
  const open = referenceCorpus('open');
  const sentences = (split: typeof open.train, n: number): string[][] =>
    [...Array(Math.min(n, split.starts.length - 1))].map((_, s) =>
      Array.from(split.tokens.subarray(split.starts[s], split.starts[s + 1]), (id) => open.vocab.word(id)),
    );
  return encodeCorpus({
    name: 'small',
    level: 'word',
    train: sentences(open.train, 300),
    valid: sentences(open.test, 50),
    test: sentences(open.test, 50),
    minCount: 1,
    source: 'test',
  });
}

/**
 * D(p ‖ p′) of removing k-gram `index` by brute force: the model without it, with b′(h) set so that p′( · | h)
 * sums to 1 over the vocabulary, p(h) by the chain rule, and Σ_v p(v | h) ln(p(v | h) / p′(v | h)) summed
 * over every word.
 */
function bruteForceCost(t: BackoffTables, k: number, index: number, ids: readonly number[]): { cost: number; tolerance: number } {
  const h = ids.slice(0, -1);
  const keep = t.trie.counts().map((n) => new Uint8Array(n).fill(1));
  keep[k - 1]![index] = 0;
  const without = subsetTables(t, keep);
  const V = t.trie.vocabSize;
  const before = Float64Array.from({ length: V }, (_, v) => 10 ** log10p(t, h, v));
  // p′(v | h) = stored p(v | h) where still stored, else b′(h) p(v | h′), b′ making the sum 1.
  const stored = new Uint8Array(V);
  let storedMass = 0;
  let lowerMass = 0;
  for (let v = 0; v < V; v++) {
    if (without.trie.find([...h, v]) >= 0) {
      stored[v] = 1;
      storedMass += before[v]!;
    } else {
      lowerMass += 10 ** log10p(t, h.slice(1), v);
    }
  }
  const backoff = (1 - storedMass) / lowerMass;
  // How far the stored distributions of h and h′ are from summing to 1 (single precision): the formula
  // writes their totals as 1, so it can differ from the brute force by about p(h) times this.
  let lowerTotal = 0;
  let total = 0;
  for (let v = 0; v < V; v++) {
    lowerTotal += 10 ** log10p(t, h.slice(1), v);
    total += before[v]!;
  }
  let pH = 1;
  for (let j = 0; j < h.length; j++) if (!(j === 0 && h[0] === BOS_ID)) pH *= 10 ** log10p(t, h.slice(0, j), h[j]!);
  let d = 0;
  for (let v = 0; v < V; v++) {
    if (before[v] === 0) continue;
    const after = stored[v] ? before[v]! : backoff * 10 ** log10p(t, h.slice(1), v);
    d += before[v]! * Math.log(before[v]! / after);
  }
  return { cost: pH * d, tolerance: 1e-6 * pH * Math.abs(d) + 2 * pH * Math.max(Math.abs(total - 1), Math.abs(lowerTotal - 1)) };
}

describe('relative-entropy pruning (Stolcke 1998)', () => {
  it("each n-gram's cost equals the relative entropy of removing it, computed by brute force over the vocabulary", async () => {
    for (const smoothing of ['mkn', 'katz']) {
      const model = await trainNgram(smallCorpus(), { order: 3, smoothing, discountFallback: true });
      const t = model.tables as BackoffTables;
      const costs = relativeEntropyCosts(t, suffixLinks(t.trie));
      let checked = 0;
      let worst = 0;
      for (const k of [2, 3]) {
        const n = t.trie.size(k);
        // Every 97th n-gram of the order, among those that no longer one needs.
        t.trie.forEachNgram(k, (i, ids) => {
          if (i % 97 !== 0) return;
          if (k === 2 && t.trie.childStart[1]![i + 1]! > t.trie.childStart[1]![i]!) return;
          const brute = bruteForceCost(t, k, i, Array.from(ids));
          expect(Math.abs(costs[k - 1]![i]! - brute.cost)).toBeLessThanOrEqual(brute.tolerance);
          worst = Math.max(worst, Math.abs(costs[k - 1]![i]! / brute.cost - 1));
          checked++;
        });
        expect(n).toBeGreaterThan(97);
      }
      expect(checked).toBeGreaterThan(20);
      // Apart from the rounding of the stored model, the formula is the relative entropy.
      expect(worst).toBeLessThan(1e-3);
    }
  });

  it('removes exactly the n-grams below the threshold that no kept n-gram needs, and the result sums to 1', async () => {
    const corpus = smallCorpus();
    const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn', discountFallback: true });
    const t = model.tables as BackoffTables;
    const costs = relativeEntropyCosts(t, suffixLinks(t.trie));
    const threshold = 1e-5;
    const { tables: pruned, kept } = entropyPrune(t, threshold);
    // Trigrams have no longer n-grams: kept exactly when e^D − 1 ≥ θ.
    let expected = 0;
    t.trie.forEachNgram(3, (i, ids) => {
      const stays = Math.expm1(costs[2]![i]!) >= threshold;
      if (stays) expected++;
      expect(pruned.trie.find(ids) >= 0).toBe(stays);
    });
    expect(kept[2]).toEqual([expected, t.trie.size(3)]);
    expect(expected).toBeLessThan(t.trie.size(3) / 2);
    expect(kept[1]![0]).toBeLessThan(t.trie.size(2));
    // Every kept trigram's context and back-off bigram are kept.
    pruned.trie.forEachNgram(3, (_, ids) => {
      expect(pruned.trie.find(ids.subarray(0, 2))).toBeGreaterThanOrEqual(0);
      expect(pruned.trie.find(ids.subarray(1))).toBeGreaterThanOrEqual(0);
    });
    // Normalised after the back-off weights are recomputed: a few contexts, summed over the vocabulary.
    for (const context of [[BOS_ID], [corpus.vocab.id('the')], [corpus.vocab.id('of'), corpus.vocab.id('the')], [BOS_ID, corpus.vocab.id('The')]]) {
      let sum = 0;
      for (let v = 0; v < pruned.trie.vocabSize; v++) sum += 10 ** log10p(pruned, context, v);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
  });

  it('a larger threshold keeps fewer n-grams and costs more test perplexity; θ = 0 keeps the model', async () => {
    const corpus = referenceCorpus('open');
    let previous: { ngrams: number; perplexity: number } | undefined;
    for (const entropyPrune of [0, 1e-8, 1e-7, 1e-6]) {
      const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn', ...(entropyPrune ? { entropyPrune } : {}) });
      const ngrams = model.ngramCounts().reduce((a, b) => a + b, 0);
      const perplexity = evaluate(model.scorer(), corpus.test, { mode: 'sentence' }).perplexityWithoutUnk;
      if (previous) {
        expect(ngrams).toBeLessThan(previous.ngrams);
        expect(perplexity).toBeGreaterThan(previous.perplexity);
      } else {
        expect(ngrams).toBe(10727 + 42561 + 58504);
      }
      previous = { ngrams, perplexity };
    }
  });
});
