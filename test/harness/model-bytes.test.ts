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

/** The report fixture, with the kn trigram also run at two count-pruning thresholds (smaller and worse). */
function prunedFolder(prunes: readonly (readonly number[])[]): string {
  const { dir } = writeFixtureResults();
  dirs.push(dir);
  const { rows, curves } = readResults(dir);
  const trigram = rows.find((r) => r.label === 'ngram order=3 smoothing=kn')!;
  const pruned = prunes.map((prune, i) => ({
    ...trigram,
    id: `ngram-pruned-${i}`,
    cell: 100 + i,
    label: `ngram order=3 smoothing=kn prune=${prune.join(',')}`,
    hyperParameters: JSON.stringify({ order: 3, prune, smoothing: 'kn' }),
    modelBytes: trigram.modelBytes! / (2 + 2 * i),
    testPerplexity: trigram.testPerplexity! + 1 + i,
  }));
  writeResults(dir, { rows: [...rows, ...pruned], curves });
  return dir;
}

describe('test perplexity against model bytes', () => {
  it('draws the n-gram runs that differ only in prune as one curve, from the unpruned model down, and every other run as a point', async () => {
    const data = loadReportData(
      prunedFolder([
        [0, 1],
        [0, 2],
      ]),
    );
    const points = modelBytesPoints(data);
    const onCurve = points.filter((p) => p.curve !== null);
    // The kn trigram of the fixture (17, 1,080 bytes: 270 parameters × 4) and its two pruned runs.
    expect(onCurve.map((p) => [p.curve, p.prune, p.modelBytes, p.testPerplexity])).toEqual([
      ['kn order=3', 'none', 1080, 17],
      ['kn order=3', '0,1', 540, 18],
      ['kn order=3', '0,2', 270, 19],
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
    expect(svg).toContain('kn order=3');
    expect(svg).toContain('Model size (bytes, log scale)');
  });

  it('is left out when no configuration was run at several prune settings', () => {
    const { dir } = writeFixtureResults();
    dirs.push(dir);
    expect(modelBytesChart(loadReportData(dir))).toBeUndefined();
  });
});
