import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults, writeResults } from '../../harness/experiment/results.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { modelBytesChart, modelBytesPoints } from '../../harness/report/model-bytes.ts';
import { renderSvg } from '../../harness/report/render.ts';
import { writeFixtureResults } from './report-fixture.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A pruned run of the fixture's kn trigram: its pruning settings, and its bytes and perplexity. */
interface Pruned {
  readonly prune?: readonly number[];
  readonly entropyPrune?: number;
  readonly modelBytes: number;
  readonly testPerplexity: number;
}

/** The report fixture, with the kn trigram (17, 1,080 bytes: 270 parameters × 4) also run pruned. */
function prunedFolder(pruned: readonly Pruned[]): string {
  const { dir } = writeFixtureResults();
  dirs.push(dir);
  const { rows, curves } = readResults(dir);
  const trigram = rows.find((r) => r.label === 'ngram order=3 smoothing=kn')!;
  const added = pruned.map(({ prune, entropyPrune, modelBytes, testPerplexity }, i) => {
    const settings = { ...(prune ? { prune } : {}), ...(entropyPrune === undefined ? {} : { entropyPrune }) };
    return {
      ...trigram,
      id: `ngram-pruned-${i}`,
      cell: 100 + i,
      label: `ngram order=3 smoothing=kn ${JSON.stringify(settings)}`,
      // Canonical JSON, keys sorted, as the runner writes it.
      hyperParameters: JSON.stringify({ ...settings, order: 3, smoothing: 'kn' }, ['entropyPrune', 'order', 'prune', 'smoothing']),
      modelBytes,
      testPerplexity,
    };
  });
  writeResults(dir, { rows: [...rows, ...added], curves });
  return dir;
}

const COUNT: readonly Pruned[] = [
  { prune: [0, 1], modelBytes: 540, testPerplexity: 18 },
  { prune: [0, 2], modelBytes: 270, testPerplexity: 19 },
];
const ENTROPY: readonly Pruned[] = [
  { entropyPrune: 1e-7, modelBytes: 600, testPerplexity: 17.5 },
  { entropyPrune: 3e-6, modelBytes: 300, testPerplexity: 18.5 },
];

const curvesOf = (dir: string) =>
  modelBytesPoints(loadReportData(dir))
    .filter((p) => p.curve !== null)
    .map((p) => [p.curve, p.pruning, p.threshold, p.modelBytes, p.testPerplexity]);

describe('test perplexity against model bytes', () => {
  it('draws the n-gram runs that differ only in prune as one curve, from the unpruned model down, and every other run as a point', async () => {
    const data = loadReportData(prunedFolder(COUNT));
    const points = modelBytesPoints(data);
    expect(curvesOf(data.dir)).toEqual([
      ['kn order=3, count', 'count', 'none', 1080, 17],
      ['kn order=3, count', 'count', '0,1', 540, 18],
      ['kn order=3, count', 'count', '0,2', 270, 19],
    ]);
    // The other n-gram orders, the window models, the recurrent ones: points (the infinite perplexity left out).
    expect(points.filter((p) => p.curve === null).map((p) => p.name)).toEqual(
      expect.arrayContaining(['ngram order=2 smoothing=kn', 'window n=3', 'lstm', 'ngram order=3 smoothing=add-k']),
    );
    expect(points.some((p) => p.name === 'ngram order=3 smoothing=mle')).toBe(false);
    const chart = modelBytesChart(data)!;
    expect(chart.name).toBe('perplexity-vs-model-bytes');
    const { svg, warnings } = await renderSvg(chart.spec);
    expect(warnings).toEqual([]);
    expect(svg).toContain('kn order=3, count');
    expect(svg).toContain('Model size (bytes, log scale)');
  });

  it('draws the runs that differ only in entropyPrune as a curve of their own, from the same unpruned run', () => {
    const dir = prunedFolder(ENTROPY);
    const trigram = readResults(dir).rows.find((r) => r.label === 'ngram order=3 smoothing=kn')!;
    expect(curvesOf(dir)).toEqual([
      ['kn order=3, entropy', 'entropy', 'none', 1080, 17],
      ['kn order=3, entropy', 'entropy', 'θ=1e-7', 600, 17.5],
      ['kn order=3, entropy', 'entropy', 'θ=3e-6', 300, 18.5],
    ]);
    const start = modelBytesPoints(loadReportData(dir)).filter((p) => p.threshold === 'none');
    expect(start.map((p) => p.run)).toEqual([trigram.id]);
    expect(modelBytesChart(loadReportData(dir))).toBeDefined();
  });

  it('gives a count and an entropy ladder of one configuration two curves, both starting at its unpruned run, drawn once', async () => {
    const data = loadReportData(prunedFolder([...COUNT, ...ENTROPY]));
    const points = modelBytesPoints(data);
    expect(curvesOf(data.dir)).toEqual([
      ['kn order=3, count', 'count', 'none', 1080, 17],
      ['kn order=3, entropy', 'entropy', 'none', 1080, 17],
      ['kn order=3, count', 'count', '0,1', 540, 18],
      ['kn order=3, count', 'count', '0,2', 270, 19],
      ['kn order=3, entropy', 'entropy', 'θ=1e-7', 600, 17.5],
      ['kn order=3, entropy', 'entropy', 'θ=3e-6', 300, 18.5],
    ]);
    const [count, entropy] = points.filter((p) => p.threshold === 'none');
    expect(count!.run).toBe(entropy!.run);
    const chart = modelBytesChart(data)!;
    const values = (chart.spec as { data: { values: { curve: string | null; threshold: string | null; repeat: boolean; label: string | null }[] } }).data
      .values;
    // The shared start is one point (its second copy only a vertex of the second line), labelled once for both curves.
    expect(values.filter((v) => v.threshold === 'none').map((v) => v.repeat)).toEqual([false, true]);
    expect(values.filter((v) => v.label !== null).map((v) => [v.label, v.threshold])).toEqual([['kn order=3, count and entropy', 'none']]);
    expect(chart.caption).toContain('relative-entropy pruning');
    const { svg, warnings } = await renderSvg(chart.spec);
    expect(warnings).toEqual([]);
    expect(svg).toContain('kn order=3, count and entropy');
  });

  it('draws a run pruned both ways as a point of its own, on neither ladder', () => {
    const both: Pruned = { prune: [0, 1], entropyPrune: 1e-6, modelBytes: 400, testPerplexity: 18.2 };
    const points = modelBytesPoints(loadReportData(prunedFolder([...COUNT, both])));
    expect(points.filter((p) => p.modelBytes === 400).map((p) => [p.curve, p.pruning, p.threshold])).toEqual([[null, null, null]]);
    expect(points.filter((p) => p.curve === 'kn order=3, count').map((p) => p.threshold)).toEqual(['none', '0,1', '0,2']);
    // Beside the unpruned run alone it makes no ladder, so no chart.
    expect(modelBytesChart(loadReportData(prunedFolder([both])))).toBeUndefined();
  });

  it('is left out when no configuration was run at several prune settings', () => {
    const { dir } = writeFixtureResults();
    dirs.push(dir);
    expect(modelBytesChart(loadReportData(dir))).toBeUndefined();
  });
});
