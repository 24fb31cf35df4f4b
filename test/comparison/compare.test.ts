import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { compareRuns } from '../../harness/comparison/compare.ts';
import { readCorpusTokens } from '../../harness/experiment/token-files.ts';
import { predictedTargets } from '../../harness/experiment/token-files.ts';
import { Random } from '../../numerics/random.ts';
import { cliInProcess } from '../harness/cli-in-process.ts';
import { textCorpus, writeComparisonFolder } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-compare-'));
const text = textCorpus({ seed: 3, sentences: 300 });
const rare = textCorpus({ seed: 3, sentences: 300, minCount: 5 });
const chars = textCorpus({ seed: 3, sentences: 300, level: 'char' });
const other = textCorpus({ seed: 4, sentences: 300 });

/** A: ln p that varies with the target; better: A's probabilities times 0.9 more than B's. */
const base = (_t: number, target: number): number => -1.5 - 0.05 * (target % 7);
const noise = (seed: number, n: number): Float64Array => {
  const x = new Float64Array(n);
  new Random(seed).normals(x, 0, 0.3);
  const mean = x.reduce((s, v) => s + v, 0) / n;
  return x.map((v) => v - mean);
};
const testTokens = predictedTargets(encodeCorpus(text).test).length;
const validTokens = predictedTargets(encodeCorpus(text).valid).length;
const zeroMean = { test: noise(9, testTokens), valid: noise(10, validTokens) };

beforeAll(() => {
  writeComparisonFolder(dir, { text, rare, chars, other }, [
    { id: 'a', label: 'model A', corpusId: 'text', logProb: base },
    // Every token 0.9 of A's probability: perplexity(B) = perplexity(A) / 0.9, on every resample.
    { id: 'b', label: 'model B', corpusId: 'text', logProb: (t, target) => base(t, target) + Math.log(0.9) },
    // The same perplexity as A, other tokens better: no real difference.
    { id: 'c', label: 'model C', corpusId: 'text', logProb: (t, target, _s, split) => base(t, target) + zeroMean[split][t]! },
    // Three seeds of one configuration, each a little off A.
    ...[1, 2, 3].map((seed) => ({
      id: `s${seed}`,
      label: 'seeded',
      corpusId: 'text',
      seed,
      logProb: (t: number, target: number) => base(t, target) - 0.01 * seed,
    })),
    { id: 'r', label: 'rare vocabulary', corpusId: 'rare', logProb: () => -1.8 },
    { id: 'ch', label: 'characters', corpusId: 'chars', logProb: () => -1 },
    { id: 'o', label: 'other text', corpusId: 'other', logProb: base },
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = { split: 'test' as const, resamples: 500, bitsPerCharacter: false };
const perplexity = (lp: (t: number) => number, n: number): number => {
  let s = 0;
  for (let t = 0; t < n; t++) s += lp(t);
  return Math.exp(-s / n);
};

describe('compare', () => {
  it('finds a run better on every token significantly better, with the known ratio', () => {
    const [pair] = compareRuns(dir, ['a', 'b'], options).pairs;
    expect(pair!.statistic).toBe('perplexity');
    expect(pair!.a.value / pair!.b.value).toBeCloseTo(0.9, 6);
    expect(pair!.ratio.low).toBeCloseTo(0.9, 6);
    expect(pair!.ratio.high).toBeCloseTo(0.9, 6);
    expect(pair!.difference.high).toBeLessThan(0);
    expect(pair!.pValue).toBe(0);
    expect(pair!.significant).toBe(true);
    expect(pair!.tally!.overall).toMatchObject({ tokens: testTokens, betterShare: 1, worseShare: 0 });
    expect(pair!.tally!.byBucket.reduce((n, b) => n + b.tokens, 0)).toBe(testTokens);
  });

  it('does not call a difference of noise significant', () => {
    const [pair] = compareRuns(dir, ['model A', 'model C'], options).pairs;
    expect(pair!.a.value).toBeCloseTo(pair!.b.value, 3);
    expect(pair!.difference.low).toBeLessThan(0);
    expect(pair!.difference.high).toBeGreaterThan(0);
    expect(pair!.pValue).toBeGreaterThan(0.05);
    expect(pair!.significant).toBe(false);
    expect(pair!.tally!.overall.betterShare).toBeGreaterThan(0.3);
    expect(pair!.tally!.overall.worseShare).toBeGreaterThan(0.3);
  });

  it('compares the seeds of one configuration as a group, never with each other', () => {
    const { pairs } = compareRuns(dir, ['seeded', 'a'], options);
    expect(pairs).toHaveLength(1);
    const pair = pairs[0]!;
    expect(pair.a.ids).toEqual(['s1', 's2', 's3']);
    // The estimate is the mean of the seeds' perplexities: exp(0.01 s) × A's.
    const pplA = perplexity((t) => base(t, predictedTargets(encodeCorpus(text).test)[t]!), testTokens);
    expect(pair.a.value).toBeCloseTo((pplA * (Math.exp(0.01) + Math.exp(0.02) + Math.exp(0.03))) / 3, 6);
    // Each resample draws a seed: the ratio's interval spans the seeds' own ratios, exp(0.01) … exp(0.03).
    expect(pair.ratio.low).toBeCloseTo(Math.exp(0.01), 6);
    expect(pair.ratio.high).toBeCloseTo(Math.exp(0.03), 6);
    // Every pair of the folder: the seeds are one configuration, never a pair of their own.
    const all = compareRuns(dir, [], options);
    expect(all.pairs.some((p) => p.a.label === 'seeded' && p.b.label === 'seeded')).toBe(false);
    expect(all.pairs.filter((p) => p.a.corpus === 'text' && p.b.corpus === 'text')).toHaveLength(6);
  });

  it('is deterministic: the same folder gives the same numbers', () => {
    expect(compareRuns(dir, ['a', 'c'], options)).toEqual(compareRuns(dir, ['a', 'c'], options));
  });

  it('compares runs on different vocabularies of the same text in bits per character only', () => {
    expect(() => compareRuns(dir, ['a', 'r'], options)).toThrow(
      /word perplexities are not comparable .*kpu\/kenlm issues #67 and #345.*add --bits-per-character/,
    );
    const [pair] = compareRuns(dir, ['a', 'r', 'ch'], { ...options, bitsPerCharacter: true }).pairs;
    expect(pair!.statistic).toBe('bits-per-character');
    const meta = readCorpusTokens(dir, 'text')!.meta;
    const targets = predictedTargets(encodeCorpus(text).test);
    let sum = 0;
    for (let t = 0; t < targets.length; t++) sum += Math.fround(base(t, targets[t]!));
    expect(pair!.a.value).toBeCloseTo(-sum / (Math.LN2 * meta.testCharacters!), 6);
    // B gives every token ln p = −1.8 (the same number of tokens: a rarer word is one <unk>).
    expect(pair!.b.value).toBeCloseTo((1.8 * targets.length) / (Math.LN2 * meta.testCharacters!), 5);
    expect(pair!.tally).toBeUndefined();
    const { pairs } = compareRuns(dir, ['a', 'r', 'ch'], { ...options, bitsPerCharacter: true });
    // The char-level corpus: 1 nat a character over the same text.
    const charPair = pairs.find((p) => p.b.label === 'characters')!;
    expect(charPair.b.value).toBeCloseTo(1 / Math.LN2, 5);
  });

  it('says what differs for runs that did not predict the same tokens, and leaves them out of every pair', () => {
    expect(() => compareRuns(dir, ['a', 'o'], options)).toThrow(
      /model A \(text, sentence\) .* and other text \(other, sentence\) .* did not predict the same tokens: their corpus differ/,
    );
    const all = compareRuns(dir, [], options);
    expect(all.skipped.some((s) => s.includes('other text'))).toBe(true);
    expect(all.pairs.some((p) => p.b.label === 'other text' || p.a.label === 'other text')).toBe(false);
  });
});

describe('compare on the command line', () => {
  it('prints the table, and one JSON object with numbers', async () => {
    const text = await cliInProcess('compare', 'a', 'b', 'c', '--out', dir, '--resamples', '200', '--by-frequency');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^test perplexity: paired bootstrap over sentences, 200 resamples/);
    expect(text.stdout).toMatch(/model A +model B .* < 0\.01 +yes +100\.0% +0\.0% +0\.0%/);
    expect(text.stdout).toContain("by the target word's training frequency");
    const json = await cliInProcess('compare', 'a', 'b', '--out', dir, '--resamples', '200', '--json');
    const parsed = JSON.parse(json.stdout) as { pairs: { pValue: number; significant: boolean; ratio: { estimate: number } }[] };
    expect(parsed.pairs).toHaveLength(1);
    expect(parsed.pairs[0]).toMatchObject({ pValue: 0, significant: true });
    expect(parsed.pairs[0]!.ratio.estimate).toBeCloseTo(0.9, 6);
  });

  it('exits 2 with a clear message for an unknown run, vocabularies without the flag and a bad --split', async () => {
    const unknown = await cliInProcess('compare', 'a', 'nope', '--out', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: no run with id or label "nope" in .*: the runs there are labelled "model A", "model B"/);
    const vocab = await cliInProcess('compare', 'a', 'r', '--out', dir);
    expect(vocab.code).toBe(2);
    expect(vocab.stderr).toContain('add --bits-per-character');
    const split = await cliInProcess('compare', '--split', 'train', '--out', dir);
    expect(split.code).toBe(2);
    expect(split.stderr).toContain('error: --split must be test or valid, got "train"');
  });
});
