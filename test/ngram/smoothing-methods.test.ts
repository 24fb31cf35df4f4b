import { describe, expect, it } from 'vitest';
import { EOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { hyperParametersFromFlags } from '../../harness/model-options.ts';
import { katzDiscounts } from '../../models/ngram/good-turing.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import { expectProbability, handCorpus, ids, lnP, referenceCorpus, trainNgram } from './helpers.ts';

const corpus = handCorpus();
const [a, b, c] = ids(corpus, 'a b c') as [number, number, number];

describe('Witten-Bell (interpolated, Chen & Goodman eq. 11)', () => {
  it('matches the hand computation: the lower order weighs N1+(h •) / (c(h •) + N1+(h •))', async () => {
    const s = (await trainNgram(corpus, { order: 2, smoothing: 'witten-bell' })).scorer();
    const p1 = (count: number): number => (count + 4 / 5) / (11 + 4);
    expectProbability(s, [UNK_ID], a, p1(3));
    expectProbability(s, [UNK_ID], UNK_ID, p1(0));
    expectProbability(s, [UNK_ID], EOS_ID, p1(4));
    // a: b 2, </s> 1 (total 3, 2 types)
    expectProbability(s, [a], b, (2 + 2 * p1(3)) / 5);
    expectProbability(s, [a], a, (2 * p1(3)) / 5);
    expectProbability(s, [a], c, (2 * p1(1)) / 5);
    // <s>: a 2, b 1, c 1 (total 4, 3 types)
    expectProbability(s, [], a, (2 + 3 * p1(3)) / 7);
    expectProbability(s, [], EOS_ID, (3 * p1(4)) / 7);
  });
});

describe('absolute discounting (interpolated, Ney et al. 1994)', () => {
  it('with a fixed D matches the hand computation', async () => {
    const s = (await trainNgram(corpus, { order: 2, smoothing: 'absolute-discounting', discount: 0.5 })).scorer();
    const p1 = (count: number): number => Math.max(count - 0.5, 0) / 11 + ((0.5 * 4) / 11) * (1 / 5);
    expectProbability(s, [UNK_ID], a, p1(3));
    expectProbability(s, [UNK_ID], UNK_ID, p1(0));
    expectProbability(s, [a], b, 1.5 / 3 + ((0.5 * 2) / 3) * p1(3));
    expectProbability(s, [a], c, ((0.5 * 2) / 3) * p1(1));
  });

  it('estimates D = n1 / (n1 + 2 n2) per order from the occurrence counts, and a discount per order', async () => {
    // Unigram n1 = 1 (c), n2 = 0: no estimate, the fallback; bigrams n1 = 5, n2 = 3: D = 5 / 11.
    const model = await trainNgram(corpus, { order: 2, smoothing: 'absolute-discounting' });
    expect(model.info.fallbackOrders).toEqual([1]);
    expect(model.info.discounts![1]![0]).toBeCloseTo(5 / 11, 6);
    const perOrder = await trainNgram(corpus, { order: 3, smoothing: 'absolute-discounting', discount: [0.2, 0.7] });
    expect(perOrder.info.discounts!.map((d) => d[0])).toEqual([0.2, 0.7, 0.7]);
    await expect(trainNgram(corpus, { order: 2, smoothing: 'absolute-discounting', discountFallback: false })).rejects.toThrow(
      /ngram absolute-discounting: cannot estimate the absolute-discounting discounts: no 1-gram has adjusted count 2/,
    );
  });
});

describe('Katz back-off with Good-Turing (Katz 1987)', () => {
  it('computes d_c = (c*/c − A) / (1 − A), A = (k+1) n_{k+1} / n_1, as Chen & Goodman eq. 8', () => {
    const n = [0, 120, 40, 20, 12, 8, 6];
    const [d] = katzDiscounts([n], 5, undefined);
    const A = (6 * 6) / 120;
    for (let cnt = 1; cnt <= 5; cnt++) {
      const star = ((cnt + 1) * n[cnt + 1]!) / n[cnt]!;
      expect(d!.ratios[cnt]).toBeCloseTo((star / cnt - A) / (1 - A), 12);
    }
    // The discounted mass equals the Good-Turing estimate of the unseen, n1 / N, where N counts every token.
    const highCounts = 1000;
    const N = n.reduce((sum, v, j) => sum + v * j, 0) - 6 * 6 + highCounts; // counts 1..5 and the rest
    const freed = n.slice(1, 6).reduce((sum, v, j) => sum + v * (j + 1) * (1 - d!.ratios[j + 1]!), 0);
    expect(freed / N).toBeCloseTo(n[1]! / N, 12);
  });

  it('on tiny text subtracts the fallback amount, and the unseen share what is left in the lower order’s proportions', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'katz', discountFallback: true });
    expect(model.info.fallbackOrders).toEqual([1, 2]);
    const s = model.scorer();
    // Unigrams: c − 0.5 over 11; <unk> (the only unseen word) gets the 2/11 that frees.
    const p1 = (count: number): number => (count > 0 ? (count - 0.5) / 11 : 2 / 11);
    expectProbability(s, [UNK_ID], a, p1(3));
    expectProbability(s, [UNK_ID], UNK_ID, p1(0));
    // a: b 2, </s> 1 → 1.5/3, 0.5/3; b(a) = (1 − 2/3) / (1 − p(b) − p(</s>)).
    const bow = 1 / 3 / (1 - p1(3) - p1(4));
    expectProbability(s, [a], b, 1.5 / 3);
    expectProbability(s, [a], EOS_ID, 0.5 / 3);
    expectProbability(s, [a], a, bow * p1(3));
    expectProbability(s, [a], c, bow * p1(1));
    await expect(trainNgram(corpus, { order: 2, smoothing: 'katz', discountFallback: false })).rejects.toThrow(
      /ngram katz: cannot estimate the Good-Turing discounts of order 1: no n-gram of this order occurs exactly 2 times/,
    );
  });

  it('on real text keeps counts above k and discounts the others by d_c', async () => {
    const corpusOpen = referenceCorpus('open');
    const model = await trainNgram(corpusOpen, { order: 2, smoothing: 'katz' });
    expect(model.info.fallbackOrders).toEqual([]);
    const ratios = model.info.goodTuring![1]!;
    expect(ratios).toHaveLength(5);
    for (const r of ratios) expect(r > 0 && r < 1).toBe(true);
    // Bigrams after "the": p = d_c c / c(the •) for seen ones.
    const the = corpusOpen.vocab.id('the');
    const followers = new Map<number, number>();
    const t = corpusOpen.train;
    for (let s = 0; s + 1 < t.starts.length; s++) {
      for (let i = t.starts[s]!; i < t.starts[s + 1]!; i++) {
        if (t.tokens[i] !== the) continue;
        const next = i + 1 < t.starts[s + 1]! ? t.tokens[i + 1]! : EOS_ID;
        followers.set(next, (followers.get(next) ?? 0) + 1);
      }
    }
    const total = [...followers.values()].reduce((x, y) => x + y, 0);
    const scorer = model.scorer();
    let checked = 0;
    for (const [w, count] of followers) {
      const d = count <= 5 ? ratios[count - 1]! : 1;
      expectProbability(scorer, [the], w, (d * count) / total);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe('back-off Kneser-Ney', () => {
  it('kn-backoff: the discounted continuation counts alone for seen words, the rest backed off (hand computation)', async () => {
    // D = n1 / (n1 + 2 n2) of the adjusted counts: unigrams n1 = 1 (c), n2 = 2 (a, b); bigrams n1 = 5, n2 = 3.
    const model = await trainNgram(corpus, { order: 2, smoothing: 'kn-backoff' });
    const D1 = model.info.discounts![0]![0]!;
    const D2 = model.info.discounts![1]![0]!;
    expect(D1).toBeCloseTo(1 / 5, 6);
    expect(D2).toBeCloseTo(5 / 11, 6);
    const k = model.scorer();
    const p1 = (count: number): number => (count > 0 ? (count - D1) / 8 : (4 * D1) / 8);
    expectProbability(k, [UNK_ID], a, p1(2));
    expectProbability(k, [UNK_ID], EOS_ID, p1(3));
    expectProbability(k, [UNK_ID], UNK_ID, p1(0));
    const bow = (2 * D2) / 3 / (1 - p1(2) - p1(3)); // a: b 2, </s> 1
    expectProbability(k, [a], b, (2 - D2) / 3);
    expectProbability(k, [a], a, bow * p1(2));
    expectProbability(k, [a], c, bow * p1(1));
  });

  it('mkn-backoff and mkn share their discounts and n-grams, and differ only in how the lower order enters', async () => {
    const open = referenceCorpus('open');
    const interpolated = await trainNgram(open, { order: 3, smoothing: 'mkn' });
    const backedOff = await trainNgram(open, { order: 3, smoothing: 'mkn-backoff' });
    expect(backedOff.info.discounts).toEqual(interpolated.info.discounts);
    expect(backedOff.ngramCounts()).toEqual(interpolated.ngramCounts());
    expect(lnP(backedOff.scorer(), [], a)).not.toBeCloseTo(lnP(interpolated.scorer(), [], a), 3);
  });
});

describe('hyper-parameters of the methods', () => {
  it('refuses options that belong to another smoothing, naming the option', () => {
    const create = (hp: Record<string, unknown>): unknown => ngramPlugin.create(hp, corpus.vocab);
    expect(() => create({ smoothing: 'mkn', discount: 0.5 })).toThrow(/option "discount": applies to smoothing "absolute-discounting", not "mkn"/);
    expect(() => create({ smoothing: 'witten-bell', gtMax: 3 })).toThrow(/option "gtMax": applies to smoothing "katz", not "witten-bell"/);
    expect(() => create({ smoothing: 'witten-bell', discountFallback: true })).toThrow(/option "discountFallback": .*not "witten-bell"/);
    expect(() => create({ smoothing: 'absolute-discounting', discount: -1 })).toThrow(/option "discount"/);
  });
});

describe('Jelinek-Mercer (deleted interpolation, λ fitted by EM on valid)', () => {
  it('with fixed λ matches the hand computation', async () => {
    const s = (await trainNgram(corpus, { order: 2, smoothing: 'jelinek-mercer', lambdas: [0.6, 0.7] })).scorer();
    const p1 = (count: number): number => (0.6 * count) / 11 + 0.4 / 5;
    expectProbability(s, [UNK_ID], a, p1(3));
    expectProbability(s, [UNK_ID], UNK_ID, p1(0));
    expectProbability(s, [a], b, (0.7 * 2) / 3 + 0.3 * p1(3));
    expectProbability(s, [a], c, 0.3 * p1(1));
  });

  it('EM reaches the valid log-likelihood the model scores, and no nearby λ scores valid better', async () => {
    const open = referenceCorpus('open');
    const model = await trainNgram(open, { order: 3, smoothing: 'jelinek-mercer' });
    const fitted = model.info.lambdas!.map((l) => l[0]!);
    expect(model.info.emIterations).toBeGreaterThan(3);
    const validPerplexity = (m: typeof model): number => evaluate(m.scorer(), open.valid, { mode: 'sentence' }).perplexity;
    const best = validPerplexity(model);
    expect(Math.abs(Math.log(best) + model.info.heldOutLogLikelihood!)).toBeLessThan(1e-6);
    for (let k = 0; k < 3; k++) {
      for (const step of [-0.03, 0.03]) {
        const lambdas = fitted.map((l, j) => (j === k ? l + step : l));
        const other = await trainNgram(open, { order: 3, smoothing: 'jelinek-mercer', lambdas });
        expect(validPerplexity(other)).toBeGreaterThan(best);
      }
    }
    // λ per bucket of the history count: at least as good on valid as one λ per order.
    const bucketed = await trainNgram(open, { order: 3, smoothing: 'jelinek-mercer', buckets: 6 });
    expect(bucketed.info.lambdas![2]).toHaveLength(6);
    expect(validPerplexity(bucketed)).toBeLessThan(best);
  });
});

describe('list options on the command line', () => {
  it('--lambdas and --discount take comma-separated lists, and a bad one names the option', () => {
    const model = ngramPlugin.create(hyperParametersFromFlags(ngramPlugin, { smoothing: 'jelinek-mercer', lambdas: '0.5,0.6' }), corpus.vocab);
    expect(model.hyperParameters.lambdas).toEqual([0.5, 0.6]);
    const ad = ngramPlugin.create(hyperParametersFromFlags(ngramPlugin, { smoothing: 'absolute-discounting', discount: '0.5,0.7' }), corpus.vocab);
    expect(ad.hyperParameters.discount).toEqual([0.5, 0.7]);
    expect(
      ngramPlugin.create(hyperParametersFromFlags(ngramPlugin, { smoothing: 'absolute-discounting', discount: '0.4' }), corpus.vocab).hyperParameters.discount,
    ).toBe(0.4);
    expect(() => hyperParametersFromFlags(ngramPlugin, { smoothing: 'jelinek-mercer', lambdas: '0.5,1.5' })).toThrow(/option --lambdas/);
  });
});
