import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparisonSection } from '../../harness/report/comparison.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { renderSvg } from '../../harness/report/render.ts';
import { writeReport } from '../../harness/report/write.ts';
import { textCorpus, writeComparisonFolder } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-compare-report-'));
const base = (_t: number, target: number): number => -1.5 - 0.05 * (target % 7);

beforeAll(() => {
  writeComparisonFolder(dir, { text: textCorpus({ seed: 3, sentences: 200 }) }, [
    { id: 'a', label: 'model A', corpusId: 'text', logProb: base },
    { id: 'b', label: 'model B', corpusId: 'text', logProb: (t, target) => base(t, target) + Math.log(0.9) },
    // A with ±0.3 nats on alternate tokens: the same perplexity within the noise, not a real difference.
    { id: 'c', label: 'model C', corpusId: 'text', logProb: (t, target) => base(t, target) + (t % 2 ? -0.3 : 0.3) },
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the report section "Which differences are real"', () => {
  it('draws each configuration against the best, the significance of every pair, and names the pairs that do not differ', async () => {
    const section = comparisonSection(loadReportData(dir));
    expect(section.charts.map((c) => c.name)).toEqual(['differences-to-best', 'significance-matrix']);
    const forest = (
      section.charts[0]!.spec.data as { values: { name: string; ratio: number; difference: number; low: number; high: number; significant: boolean }[] }
    ).values;
    const byName = Object.fromEntries(forest.map((v) => [v.name, v]));
    // The best (A or C, which differ by noise) at ratio 1; B (A with every probability × 0.9, so a perplexity 1/0.9
    // times A's) worse, its interval above 1.
    const best = forest.filter((v) => v.ratio === 1 && v.low === 1 && v.high === 1 && v.difference === 0).map((v) => v.name);
    expect(best).toHaveLength(1);
    expect(['model A', 'model C']).toContain(best[0]);
    expect(byName['model B']!.low).toBeGreaterThan(1);
    expect(byName['model B']!.ratio).toBeCloseTo(1 / 0.9, 1);
    expect(byName['model B']!.significant).toBe(true);
    const cells = (section.charts[1]!.spec.data as { values: { row: string; column: string; outcome: string }[] }).values;
    expect(cells).toContainEqual(expect.objectContaining({ row: 'model A', column: 'model B', outcome: 'row better' }));
    expect(cells).toContainEqual(expect.objectContaining({ row: 'model B', column: 'model A', outcome: 'row worse' }));
    expect(section.section!.html).toMatch(/Not significant \(p ≥ 0\.05\): model A vs model C \(p = 0\.\d+\)\./);
    for (const chart of section.charts) expect((await renderSvg(chart.spec)).warnings, chart.name).toEqual([]);
    const csv = section.csv!.trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[1]).toMatch(/^text,sentence,test,perplexity,model A,a,model B,b,/);
  });

  it('leaves out a corpus whose pairs × test tokens exceed its budget, and says so', () => {
    const many = mkdtempSync(join(tmpdir(), 'pb-compare-many-'));
    try {
      const runs = Array.from({ length: 4 }, (_, i) => ({
        id: `r${i}`,
        label: `model ${i}`,
        corpusId: 'text',
        logProb: (t: number, target: number) => base(t, target) - 0.01 * i,
      }));
      const corpus = textCorpus({ seed: 3, sentences: 20 });
      writeComparisonFolder(many, { text: corpus }, runs);
      const data = loadReportData(many);
      // Every test sentence's words and its </s>.
      const tokens = corpus.test.reduce((n, sentence) => n + sentence.length + 1, 0);
      // 4 configurations are 6 pairs: compared with a budget of 6 × the test tokens, left out with one token less.
      expect(comparisonSection(data, { maxPairTokens: 6 * tokens }).charts).toHaveLength(2);
      const section = comparisonSection(data, { maxPairTokens: 6 * tokens - 1 });
      expect(section.charts).toEqual([]);
      expect(section.csv).toBeUndefined();
      expect(section.section!.html).toBe(
        `<p class="caption">Not compared pair by pair, with more pairs × test tokens than the ${(6 * tokens - 1).toExponential(0).replace('+', '')} the report compares a corpus: text (4 configurations, 6 pairs of ${tokens} test tokens); <code>compare NAME NAME …</code> compares chosen ones.</p>`,
      );
    } finally {
      rmSync(many, { recursive: true, force: true });
    }
  });

  it('is written by report: comparison.csv beside results.csv, the section in index.html', async () => {
    await writeReport(dir);
    expect(existsSync(join(dir, 'comparison.csv'))).toBe(true);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<h2>Which differences are real</h2>');
    expect(html).toContain('id="view-differences-to-best"');
  });
});
