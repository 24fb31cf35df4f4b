import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID, EOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { estimateDiscounts } from '../../models/ngram/discounting.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import { expectProbability, handCorpus, ids, lnP, tinyCorpus, trainNgram } from './helpers.ts';

const corpus = handCorpus();
const [a, b, c] = ids(corpus, 'a b c') as [number, number, number];

describe('maximum likelihood', () => {
  it('gives count ratios, and infinite perplexity with the count of zero-probability tokens', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'mle' });
    const s = model.scorer();
    expect(lnP(s, [], a)).toBe(Math.log(2 / 4));
    expect(lnP(s, [a], b)).toBe(Math.log(2 / 3));
    expect(lnP(s, [a], EOS_ID)).toBe(Math.log(1 / 3));
    expect(lnP(s, [b], a)).toBe(Math.log(1 / 3));
    expect(lnP(s, [a], a)).toBe(-Infinity);
    // A history never followed by anything (<unk>) is shortened to the empty one: c(w) / 11.
    expect(lnP(s, [UNK_ID], a)).toBe(Math.log(3 / 11));

    const perToken = new Float64Array(6);
    const m = evaluate(s, corpus.test, { mode: 'sentence', perToken });
    expect(Array.from(perToken.subarray(0, 3))).toEqual([Math.log(2 / 4), Math.log(2 / 3), Math.log(2 / 3)]);
    expect(perToken[4]).toBe(-Infinity);
    expect(m.zeroProbability).toBe(1);
    expect(m.perplexity).toBe(Infinity);
  });
});

describe('add-k', () => {
  it('adds k to every count over the vocabulary without <s> (Laplace by default)', async () => {
    const s = (await trainNgram(corpus, { order: 2, smoothing: 'add-k' })).scorer();
    expect(lnP(s, [], a)).toBe(Math.log((2 + 1) / (4 + 5)));
    expect(lnP(s, [a], b)).toBe(Math.log((2 + 1) / (3 + 5)));
    expect(lnP(s, [a], a)).toBe(Math.log(1 / 8));
    expect(lnP(s, [a], EOS_ID)).toBe(Math.log(2 / 8));
    expect(lnP(s, [a], BOS_ID)).toBe(-Infinity);
    expect(lnP(s, [UNK_ID], c)).toBe(Math.log(1 / 5));

    const half = (await trainNgram(corpus, { order: 2, smoothing: 'add-k', k: 0.5 })).scorer();
    expect(lnP(half, [a], b)).toBe(Math.log(2.5 / (3 + 0.5 * 5)));
  });

  it('gives the uniform distribution after a history it never saw (no back-off)', async () => {
    const s = (await trainNgram(corpus, { order: 3, smoothing: 'add-k' })).scorer();
    // "c a" never occurs: uniform over the 5 predictable words, not the bigram estimate 3/8.
    expect(lnP(s, [c, a], b)).toBe(Math.log(1 / 5));
    // "<s> a" occurs twice, followed by b both times.
    expect(lnP(s, [a], b)).toBe(Math.log((2 + 1) / (2 + 5)));
  });
});

describe('interpolated Kneser-Ney', () => {
  it('matches Chen & Goodman eq. 17 worked by hand, one discount per order', async () => {
    const s = (await trainNgram(corpus, { order: 2, smoothing: 'kn' })).scorer();
    // D = n1 / (n1 + 2 n2) per order, in lmplz's single precision: unigrams n1 = 1 (c), n2 = 2 (a, b);
    // bigrams n1 = 5, n2 = 3.
    const D1 = Math.fround(1 / 5);
    const D2 = Math.fround(5 / 11);
    const gammaRoot = (D1 * 4) / 8; // four unigrams with counts, Σ continuation counts = 8
    const p1 = (count: number): number => (count > 0 ? (count - D1) / 8 : 0) + gammaRoot / 5;
    expectProbability(s, [UNK_ID], a, p1(2)); // <unk> is no context: the unigram level
    expectProbability(s, [UNK_ID], EOS_ID, p1(3));
    expectProbability(s, [UNK_ID], UNK_ID, p1(0));
    const gammaA = (2 * D2) / 3; // a is followed by b (2) and </s> (1)
    expectProbability(s, [a], b, (2 - D2) / 3 + gammaA * p1(2));
    expectProbability(s, [a], EOS_ID, (1 - D2) / 3 + gammaA * p1(3));
    expectProbability(s, [a], c, gammaA * p1(1));
    const gammaBos = (3 * D2) / 4; // <s> is followed by a (2), b (1), c (1)
    expectProbability(s, [], a, (2 - D2) / 4 + gammaBos * p1(2));
    expect(lnP(s, [a], BOS_ID)).toBe(-Infinity);
  });
});

describe('modified Kneser-Ney', () => {
  it('with discountFallback false (lmplz without --discount_fallback), fails with an error naming the order, the zero count-of-counts and the option', async () => {
    // Bigram counts are 1 and 2 only: n3 = 0 for order 2.
    const attempt = trainNgram(corpus, { order: 2, smoothing: 'mkn', discountFallback: false });
    await expect(attempt).rejects.toThrow(UserError);
    await expect(trainNgram(corpus, { order: 2, smoothing: 'mkn', discountFallback: false })).rejects.toThrow(
      /no 2-gram has adjusted count 3 \(count-of-counts n3 = 0 for order 2; n1\.\.n4 = 5, 3, 0, 0\).*"discountFallback": false \(--no-discount-fallback on the command line\)/,
    );
  });

  it('by default (discountFallback unset) falls back exactly as with true, and only for the orders that need it', async () => {
    const byDefault = await trainNgram(corpus, { order: 2, smoothing: 'mkn' });
    const explicit = await trainNgram(corpus, { order: 2, smoothing: 'mkn', discountFallback: true });
    expect(byDefault.info.fallbackOrders).toEqual([2]);
    expect(byDefault.info.discounts).toEqual(explicit.info.discounts);
    expect(byDefault.info.discounts![1]).toEqual([0.5, 1, 1.5]);
    expect(byDefault.toCheckpoint().arrays).toEqual(explicit.toCheckpoint().arrays);
  });

  it('with the fallback, uses KenLM 0.5, 1, 1.5 where estimation failed and Chen & Goodman eq. 26 elsewhere', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'mkn', discountFallback: true });
    expect(model.info.fallbackOrders).toEqual([2]);
    const [d1, d2] = model.info.discounts!;
    // Unigrams: n1 = 1, n2 = 2, n3 = 1, n4 = 0; Y = 1/5; D_j = j − (j+1) Y n_{j+1} / n_j.
    expect(d1![0]).toBeCloseTo(1 - 2 * 0.2 * (2 / 1), 6);
    expect(d1![1]).toBeCloseTo(2 - 3 * 0.2 * (1 / 2), 6);
    expect(d1![2]).toBe(3);
    expect(d2).toEqual([0.5, 1, 1.5]);

    const s = model.scorer();
    const gammaRoot = (0.2 * 1 + 1.7 * 2 + 3 * 1) / 8; // c has count 1; a, b 2; </s> 3
    const p1 = { a: (2 - 1.7) / 8 + gammaRoot / 5, eos: (3 - 3) / 8 + gammaRoot / 5, c: (1 - 0.2) / 8 + gammaRoot / 5 };
    expectProbability(s, [UNK_ID], a, p1.a);
    expectProbability(s, [UNK_ID], UNK_ID, gammaRoot / 5);
    const gammaA = (1 * 1 + 0.5 * 1) / 3; // a b has count 2 (D2 = 1), a </s> count 1 (D1 = 0.5)
    expectProbability(s, [a], b, (2 - 1) / 3 + gammaA * p1.a);
    expectProbability(s, [a], EOS_ID, (1 - 0.5) / 3 + gammaA * p1.eos);
    expectProbability(s, [a], c, gammaA * p1.c);

    const custom = await trainNgram(corpus, { order: 2, smoothing: 'mkn', discountFallback: [0.4, 0.9, 1.2] });
    expect(custom.info.discounts![1]).toEqual([0.4, 0.9, 1.2]);
  });

  it('kn needs n1 and n2 too, and reports a discount outside its range', async () => {
    await expect(trainNgram(tinyCorpus(['a b']), { order: 2, smoothing: 'kn', discountFallback: false })).rejects.toThrow(/count-of-counts n2 = 0 for order 1/);
    // n1 = 10, n2 = 1, n3 = 10: D2 = 2 − 3 Y n3 / n2 < 0.
    expect(() => estimateDiscounts([[0, 10, 1, 10, 5]], 'mkn', undefined)).toThrow(/the order-1 discount D2 = -\d.* is outside \[0, 2\]/);
    expect(estimateDiscounts([[0, 10, 1, 10, 5]], 'mkn', [0.5, 1, 1.5])[0]!.amounts).toEqual([0, 0.5, 1, 1.5]);
  });
});

describe('hyper-parameters', () => {
  it('reject options that do not apply or are out of range, naming them', () => {
    const create = (hp: Record<string, unknown>): unknown => ngramPlugin.create(hp, corpus.vocab);
    expect(() => create({ smoothing: 'mkn', k: 2 })).toThrow(/option "k": applies to smoothing "add-k", not "mkn"/);
    expect(() => create({ smoothing: 'add-k', discountFallback: true })).toThrow(/option "discountFallback": applies to smoothing "kn", "mkn", "kn-backoff"/);
    expect(() => create({ smoothing: 'mkn', discountFallback: [1.5, 1, 1] })).toThrow(/option "discountFallback\.0"/);
    expect(() => create({ order: 11 })).toThrow(/option "order"/);
    expect(() => create({ order: 0 })).toThrow(/option "order"/);
    expect(() => create({ smoothing: 'good-turing' })).toThrow(/option "smoothing"/);
    expect(() => create({ ordre: 3 })).toThrow(/unknown option "ordre"/);
    expect(ngramPlugin.create({}, corpus.vocab).hyperParameters).toEqual({ order: 3, smoothing: 'mkn' });
  });
});
