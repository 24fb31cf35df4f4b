import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { readResults, writeResults } from '../../harness/experiment/results.ts';
import { predictedTargets } from '../../harness/experiment/token-files.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { renderSvg } from '../../harness/report/render.ts';
import { trainingSizeChart, trainingSizeDifferences } from '../../harness/report/training-size.ts';
import { writeReport } from '../../harness/report/write.ts';
import { type FixtureRun, textCorpus, writeComparisonFolder } from '../comparison/fixture.ts';

const TEXT = textCorpus({ seed: 3, sentences: 40 });
/** Predicted test tokens of TEXT (its words and each sentence's </s>). */
const N = predictedTargets(encodeCorpus(TEXT).test).length;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface SizedRun {
  readonly id: string;
  readonly smoothing: string;
  readonly buckets?: number;
  readonly corpus: 'text-1k' | 'text-10k';
  /** ln p of test token t (every value a float32 holds exactly, as the run files store them). */
  readonly logProb: (t: number) => number;
}

/**
 * A results folder of n-gram runs at two training sizes of one corpus: the same text written under two corpus ids
 * (the same test tokens, as `trainWords` slices keeping the whole vocabulary have), rows filled in as `run` fills them.
 */
function writeSizes(runs: readonly SizedRun[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-training-size-'));
  dirs.push(dir);
  const fixture: FixtureRun[] = runs.map((r) => ({ id: r.id, label: r.id, corpusId: r.corpus, logProb: (t) => r.logProb(t) }));
  writeComparisonFolder(dir, { 'text-1k': TEXT, 'text-10k': TEXT }, fixture);
  const { rows, curves } = readResults(dir);
  const patched = rows.map((row) => {
    const run = runs.find((r) => r.id === row.id)!;
    let sum = 0;
    for (let t = 0; t < N; t++) sum += Math.fround(run.logProb(t));
    return {
      ...row,
      model: 'ngram',
      familyLabel: 'n-gram',
      hyperParameters: JSON.stringify({ order: 3, smoothing: run.smoothing, ...(run.buckets ? { buckets: run.buckets } : {}) }),
      testPerplexity: Math.exp(-sum / N),
      validPerplexity: Math.exp(-sum / N),
      testTokens: N,
      testCharacters: 1000,
      testUnk: 0,
      vocabSize: 31,
      trainTokens: run.corpus === 'text-1k' ? 1000 : 10000,
    };
  });
  writeResults(dir, { rows: patched, curves });
  return dir;
}

const BASELINE = { smoothing: 'jelinek-mercer' } as const;
/** kn at 1k: half a nat better than the baseline on the even tokens, equal on the odd ones; at 10k: 0.25 nats on every one. */
const TWO_SIZES: SizedRun[] = [
  { id: 'jm-1k', ...BASELINE, corpus: 'text-1k', logProb: () => -2 },
  { id: 'kn-1k', smoothing: 'kn', corpus: 'text-1k', logProb: (t) => (t % 2 ? -2 : -1.5) },
  { id: 'jm-10k', ...BASELINE, buckets: 1, corpus: 'text-10k', logProb: () => -1.75 },
  { id: 'kn-10k', smoothing: 'kn', corpus: 'text-10k', logProb: () => -1.5 },
];

describe('test cross-entropy relative to the baseline against training size (Chen & Goodman 1998)', () => {
  it('gives each method the difference from Jelinek-Mercer with one λ per order, with a paired interval around it', () => {
    expect(N).toBe(277);
    const { points, notes } = trainingSizeDifferences(loadReportData(writeSizes(TWO_SIZES)));
    expect(notes).toEqual([]);
    const at = (size: number) => points.find((p) => p.trainTokens === size)!;
    expect(points.map((p) => [p.method, p.order, p.corpus])).toEqual([
      ['kn', 3, 'text-1k'],
      ['kn', 3, 'text-10k'],
    ]);
    // 1k: the baseline is 2 / ln 2 = 2.885390 bits; kn gains 0.5 nats on the 139 even tokens of 277:
    // −0.5 · 139 / (277 · ln 2) = −0.361976 bits.
    const small = at(1000);
    expect(small.baseline).toBeCloseTo(2.88539, 5);
    expect(small.difference).toBeCloseTo(-0.361976, 5);
    expect(small.crossEntropy - small.baseline).toBeCloseTo(small.difference, 12);
    expect(small.low!).toBeLessThan(small.difference);
    expect(small.high!).toBeGreaterThan(small.difference);
    // kn is never worse on a token, so no resample makes it worse: the interval lies below 0.
    expect(small.high!).toBeLessThan(0);
    // 10k: −0.25 / ln 2 = −0.360674 bits on every token, so every resample gives that difference.
    const large = at(10000);
    expect(large.difference).toBeCloseTo(-0.360674, 5);
    expect(large.low!).toBeCloseTo(-0.360674, 5);
    expect(large.high!).toBeCloseTo(-0.360674, 5);
  });

  it('draws a line per method in a panel per order, the baseline at 0, and renders without a warning', async () => {
    const chart = trainingSizeChart(loadReportData(writeSizes(TWO_SIZES)))!;
    expect(chart.name).toBe('cross-entropy-vs-training-size');
    expect(chart.caption).toMatch(/ Better than the baseline at every training size: kn\.$/);
    const values = (chart.spec.data as { values: { name: string; order: number; difference: number }[] }).values;
    expect(values.map((v) => v.name)).toEqual(['kn', 'kn']);
    expect(JSON.stringify(chart.spec.title)).toContain('Jelinek-Mercer with one λ per order');
    const { svg, warnings } = await renderSvg(chart.spec);
    expect(warnings).toEqual([]);
    expect(svg).toContain('order 3');
    expect(svg).toContain('Test cross-entropy − baseline (bits/token)');
  });

  it('falls back on the result rows, without intervals, when the per-token files were not kept', () => {
    const dir = writeSizes(TWO_SIZES);
    for (const f of readdirSync(join(dir, 'runs'))) rmSync(join(dir, 'runs', f));
    const { points, notes } = trainingSizeDifferences(loadReportData(dir));
    expect(points.map((p) => [p.difference, p.low, p.high])).toEqual([
      [expect.closeTo(-0.361976, 5), null, null],
      [expect.closeTo(-0.360674, 5), null, null],
    ]);
    expect(notes).toEqual(["No intervals at text-1k, text-10k: per-token files missing there (the differences are the result rows')."]);
  });

  it('is left out with one training size, or with no baseline', () => {
    expect(trainingSizeChart(loadReportData(writeSizes(TWO_SIZES.filter((r) => r.corpus === 'text-1k'))))).toBeUndefined();
    expect(trainingSizeChart(loadReportData(writeSizes(TWO_SIZES.filter((r) => r.smoothing === 'kn'))))).toBeUndefined();
  });

  it('is a section of the report with its caption', async () => {
    const dir = writeSizes(TWO_SIZES);
    const { charts } = await writeReport(dir);
    expect(charts.map((c) => c.name)).toContain('cross-entropy-vs-training-size');
    // One text and one vocabulary at both sizes: the same tokens, so no chart of bits per character "across vocabularies".
    expect(charts.map((c) => c.name)).not.toContain('test-bits-per-character');
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<section id="chart-cross-entropy-vs-training-size">');
    expect(html).toContain("Chen &amp; Goodman (1998)'s comparison");
  });
});
