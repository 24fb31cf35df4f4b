import { describe, expect, it } from 'vitest';
import { EOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { hyperParametersFromFlags } from '../../harness/model-options.ts';
import { countNgrams } from '../../models/ngram/counting.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import { closeKept } from '../../models/ngram/trie-subset.ts';
import type { BackoffTables } from '../../models/ngram/tables.ts';
import { backoffWeight, expectProbability, handCorpus, ids, referenceCorpus, trainNgram } from './helpers.ts';

const corpus = handCorpus();
const [a, b, c] = ids(corpus, 'a b c') as [number, number, number];

describe('count pruning (lmplz --prune)', () => {
  it('drops the n-grams seen at most the threshold times and gives their share to the lower order (Witten-Bell by hand)', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'witten-bell', prune: [0, 1] });
    // Bigrams <s> a 2, a b 2, b </s> 2 stay; <s> b, <s> c, a </s>, b a, c </s> (once each) go.
    expect(model.ngramCounts()).toEqual([corpus.vocab.size, 3]);
    expect(model.info.kept).toEqual([
      [corpus.vocab.size, corpus.vocab.size],
      [3, 8],
    ]);
    const s = model.scorer();
    const p1 = (count: number): number => (count + 4 / 5) / (11 + 4);
    // <s>: a 2, b 1, c 1 (total 4, 3 types): γ = 3/7 plus the dropped 1/7 + 1/7.
    expectProbability(s, [], a, 2 / 7 + (5 / 7) * p1(3));
    expectProbability(s, [], b, (5 / 7) * p1(3));
    expectProbability(s, [], c, (5 / 7) * p1(1));
    // a: b 2, </s> 1 (total 3, 2 types): γ = 2/5 + 1/5.
    expectProbability(s, [a], b, 2 / 5 + (3 / 5) * p1(3));
    expectProbability(s, [a], EOS_ID, (3 / 5) * p1(4));
    // c: its only bigram went, so it is the unigram distribution (γ = 1/2 + 1/2).
    expectProbability(s, [c], EOS_ID, p1(4));
    expectProbability(s, [c], UNK_ID, p1(0));
    // Its back-off weight is exactly 1 (log10 0), as lmplz writes it, so that quantisation keeps it exact.
    const tables = model.tables as BackoffTables;
    expect(tables.logBackoff[0]![c]).toBe(0);
    expect(backoffWeight(tables, [a])).toBeCloseTo(3 / 5, 6);
  });

  it('an unpruned model is the same with prune [0] and without it', async () => {
    const set = referenceCorpus('open');
    const plain = await trainNgram(set, { order: 3, smoothing: 'mkn' });
    const zero = await trainNgram(set, { order: 3, smoothing: 'mkn', prune: [0] });
    expect(zero.ngramCounts()).toEqual(plain.ngramCounts());
    expect(zero.info.kept).toBeUndefined();
    expect(evaluate(zero.scorer(), set.test, { mode: 'sentence' }).perplexity).toBe(evaluate(plain.scorer(), set.test, { mode: 'sentence' }).perplexity);
  });

  it('a larger threshold keeps fewer n-grams and costs perplexity', async () => {
    const set = referenceCorpus('open');
    let previous: { ngrams: number; perplexity: number } | undefined;
    for (const t of [0, 1, 2, 4]) {
      const model = await trainNgram(set, { order: 3, smoothing: 'mkn', prune: [0, t] });
      const ngrams = model.ngramCounts().reduce((x, y) => x + y, 0);
      const perplexity = evaluate(model.scorer(), set.test, { mode: 'sentence' }).perplexityWithoutUnk;
      if (previous) {
        expect(ngrams).toBeLessThan(previous.ngrams);
        expect(perplexity).toBeGreaterThan(previous.perplexity);
      }
      previous = { ngrams, perplexity };
    }
  });

  it('closeKept keeps the context and the back-off n-gram of every kept n-gram', () => {
    const counted = countNgrams(Int32Array.from([1, ...ids(corpus, 'a b a b c'), EOS_ID]), 3, corpus.vocab.size);
    const { trie, suffixes } = counted;
    const keep = [new Uint8Array(trie.size(1)).fill(1), new Uint8Array(trie.size(2)), new Uint8Array(trie.size(3))];
    const abc = trie.find([a, b, c]);
    keep[2]![abc] = 1;
    closeKept(trie, suffixes, keep);
    const kept = (k: number): number[] => [...keep[k - 1]!.keys()].filter((i) => keep[k - 1]![i]);
    expect(kept(2).sort()).toEqual([trie.find([a, b]), trie.find([b, c])].sort());
    expect(kept(3)).toEqual([abc]);
  });

  it('takes --prune 0,1,1 on the command line and refuses thresholds lmplz refuses, naming the option', () => {
    const create = (flags: Record<string, string>) => ngramPlugin.create(hyperParametersFromFlags(ngramPlugin, flags), corpus.vocab);
    expect(create({ order: '4', prune: '0,1,1' }).hyperParameters.prune).toEqual([0, 1, 1]);
    const refused =
      (flags: Record<string, string>): (() => unknown) =>
      () =>
        create(flags);
    expect(refused({ order: '3', prune: '0,2,1' })).toThrow(/--prune.*must not decrease/);
    expect(refused({ order: '3', prune: '1,1' })).toThrow(/--prune.*unigram threshold must be 0/);
    expect(refused({ order: '2', prune: '0,1,1' })).toThrow(/--prune.*orders 1 through 3, but the model has order 2/);
    expect(refused({ order: '3', prune: '0,-1' })).toThrow(/--prune/);
    expect(refused({ order: '3', smoothing: 'add-k', prune: '0,1' })).toThrow(/--prune.*not "add-k"/);
  });
});
