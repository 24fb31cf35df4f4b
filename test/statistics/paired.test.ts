import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { pairedBootstrap, pairedUnitBootstrap } from '../../harness/statistics/paired.ts';
import { sumByUnit, totalByUnit } from '../../harness/statistics/units.ts';
import { Random } from '../../numerics/random.ts';

/** 200 sentences of 1–20 tokens with made-up ln p in [ln 0.001, ln 0.5]. */
function split(seed: number): { lp: Float32Array; lengths: Int32Array } {
  const random = new Random(seed);
  const lengths = new Int32Array(200);
  for (let s = 0; s < lengths.length; s++) lengths[s] = 1 + random.int(20);
  const lp = new Float32Array(lengths.reduce((n, l) => n + l, 0));
  for (let t = 0; t < lp.length; t++) lp[t] = Math.log(0.001 + 0.5 * random.float());
  return { lp, lengths };
}

const perplexity = (x: Float32Array): number => Math.exp(-x.reduce((s, v) => s + v, 0) / x.length);

describe('pairedBootstrap (Koehn 2004)', () => {
  it('gives a [0, 0] difference, ratio 1 and p = 1 for identical runs', () => {
    const { lp, lengths } = split(1);
    const c = pairedBootstrap(lp, lp, lengths, { resamples: 200 });
    expect(c.difference).toEqual({ estimate: 0, low: 0, high: 0 });
    expect(c.ratio).toEqual({ estimate: 1, low: 1, high: 1 });
    expect(c.pValue).toBe(1);
  });

  it('finds a run that is better on every token significantly better', () => {
    const { lp, lengths } = split(2);
    // B gives every token 0.9 of A's probability: A's perplexity is 0.9 × B's.
    const b = lp.map((v) => v + Math.log(0.9));
    const c = pairedBootstrap(lp, b, lengths, { resamples: 500 });
    expect(c.difference.estimate).toBeCloseTo(perplexity(lp) - perplexity(b), 9);
    expect(c.difference.high).toBeLessThan(0);
    expect(c.difference.low).toBeLessThan(c.difference.estimate);
    expect(c.difference.high).toBeGreaterThan(c.difference.estimate);
    // A uniform factor cancels in the ratio on every resample.
    expect(c.ratio.estimate).toBeCloseTo(0.9, 6);
    expect(c.ratio.low).toBeCloseTo(0.9, 6);
    expect(c.ratio.high).toBeCloseTo(0.9, 6);
    expect(c.pValue).toBe(0);
  });

  it('compares cross-entropies in bits per token: log2 of the perplexities, the same resamples and p-value', () => {
    const { lp, lengths } = split(2);
    const b = lp.map((v) => v + Math.log(0.9));
    const units = { a: [sumByUnit(lp, lengths, 1)], b: [sumByUnit(b, lengths, 1)], denominators: totalByUnit(lengths, 1) };
    const bits = pairedUnitBootstrap({ ...units, statistic: 'bits-per-token' }, { resamples: 500 });
    const ppl = pairedUnitBootstrap(units, { resamples: 500 });
    expect(bits.a).toBeCloseTo(Math.log2(perplexity(lp)), 9);
    // B gives every token 0.9 of A's probability: A is log2(1 / 0.9) = 0.152003 bits a token better, on every resample.
    expect(bits.difference.estimate).toBeCloseTo(-0.152003, 6);
    expect(bits.difference.low).toBeCloseTo(-0.152003, 6);
    expect(bits.difference.high).toBeCloseTo(-0.152003, 6);
    expect(bits.pValue).toBe(ppl.pValue);
  });

  it('does not call a difference of noise significant', () => {
    const { lp, lengths } = split(3);
    // B: A's ln p with noise that adds up to 0 over the split: the same perplexity, different tokens better.
    const random = new Random(9);
    const noise = new Float64Array(lp.length);
    random.normals(noise, 0, 0.3);
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const b = lp.map((v, t) => v + noise[t]! - mean);
    const c = pairedBootstrap(lp, b, lengths, { resamples: 500 });
    expect(c.difference.low).toBeLessThan(0);
    expect(c.difference.high).toBeGreaterThan(0);
    expect(c.pValue).toBeGreaterThan(0.05);
  });

  it('is deterministic by seed', () => {
    const { lp, lengths } = split(4);
    const random = new Random(10);
    const b = lp.map((v) => v + 0.3 * random.normal() - 0.02);
    const one = pairedBootstrap(lp, b, lengths, { resamples: 300, seed: 5 });
    expect(pairedBootstrap(lp, b, lengths, { resamples: 300, seed: 5 })).toEqual(one);
    expect(pairedBootstrap(lp, b, lengths, { resamples: 300, seed: 6 }).difference.low).not.toBe(one.difference.low);
  });

  it('refuses runs of different lengths or sentence lengths that do not cover the tokens', () => {
    const { lp, lengths } = split(5);
    expect(() => pairedBootstrap(lp, lp.slice(1), lengths)).toThrow(UserError);
    expect(() => pairedBootstrap(lp, lp.slice(1), lengths)).toThrow(/token counts/);
    expect(() => pairedBootstrap(lp, lp, lengths.slice(1))).toThrow(/sentence lengths add up to \d+ tokens, the runs predicted/);
  });
});

describe('pairedBootstrap over blocks of sentences (stream mode)', () => {
  it('resamples whole blocks: one block of every sentence gives the estimate on every resample', () => {
    const { lp, lengths } = split(7);
    const random = new Random(11);
    const b = lp.map((v) => v + 0.2 * random.normal());
    const c = pairedBootstrap(lp, b, lengths, { resamples: 100, block: lengths.length });
    expect(c.difference.low).toBeCloseTo(c.difference.estimate, 9);
    expect(c.difference.high).toBeCloseTo(c.difference.estimate, 9);
    // Blocks of 10 sentences: 20 units, a wider interval than none at all but the same estimate as sentences.
    const blocks = pairedBootstrap(lp, b, lengths, { resamples: 500, block: 10 });
    const sentences = pairedBootstrap(lp, b, lengths, { resamples: 500 });
    expect(blocks.difference.estimate).toBe(sentences.difference.estimate);
    expect(blocks.difference.high - blocks.difference.low).toBeGreaterThan(0);
  });
});
