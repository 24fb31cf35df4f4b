import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults, writeResults, type ResultRow } from '../../harness/experiment/results.ts';
import { CORPORA_DIR, RUNS_DIR } from '../../harness/experiment/token-files.ts';
import { buildCharts, type Chart } from '../../harness/report/charts.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { errorBars } from '../../harness/report/error-bars.ts';
import { renderSvg } from '../../harness/report/render.ts';
import { seedSummaries, spreadOf } from '../../harness/report/seed-summary.ts';
import { markdownSeedTable, TABLE_COLUMNS, withInterval } from '../../harness/report/table.ts';
import { writeReport } from '../../harness/report/write.ts';
import { FIXTURE_CORPUS_ID, writeFixtureResults } from './report-fixture.ts';

type Layer = { mark: { type: string } | string; transform?: { filter: string }[]; encoding: Record<string, { field?: string }> };

function layers(chart: Chart): Layer[] {
  return (chart.spec as { layer: Layer[] }).layer;
}

const markOf = (l: Layer): string => (typeof l.mark === 'string' ? l.mark : l.mark.type);

function values(chart: Chart): Record<string, unknown>[] {
  return (chart.spec as { data: { values: Record<string, unknown>[] } }).data.values;
}

/**
 * The report fixture (rows without intervals, as an old results.csv), with the LSTM run with three seeds
 * (test perplexity 10, 11, 12: mean 11, sample sd 1; valid 11, 12, 13) and one window run given a bootstrap interval.
 */
function threeSeedFolder(): string {
  const { dir } = writeFixtureResults();
  const { rows, curves } = readResults(dir);
  const lstm = rows.find((r) => r.label === 'lstm')!;
  const seeded: ResultRow[] = [1, 2, 3].map((seed) => ({
    ...lstm,
    id: seed === 1 ? lstm.id : `${lstm.id}-seed${seed}`,
    seed,
    testPerplexity: 9 + seed,
    validPerplexity: 10 + seed,
    testPerplexityLow: 8.5 + seed,
    testPerplexityHigh: 9.5 + seed,
    testBitsPerCharacter: 2 + seed / 10,
  }));
  for (const r of seeded.slice(1))
    for (const split of ['test']) cpSync(join(dir, RUNS_DIR, `${lstm.id}.${split}.f32`), join(dir, RUNS_DIR, `${r.id}.${split}.f32`), { force: true });
  const lstmCurve = curves.filter((c) => c.id === lstm.id);
  const window3 = rows.find((r) => r.label === 'window n=3')!;
  const out = rows.map((r) => (r === lstm ? seeded[0]! : r === window3 ? { ...r, testPerplexityLow: 13.5, testPerplexityHigh: 15.75 } : r));
  writeResults(dir, {
    rows: [...out, ...seeded.slice(1)],
    curves: [...curves, ...seeded.slice(1).flatMap((r) => lstmCurve.map((c) => ({ ...c, id: r.id, validPerplexity: c.validPerplexity + r.seed })))],
  });
  return dir;
}

describe('several seeds and error bars', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dir = threeSeedFolder();
  dirs.push(dir);
  const data = loadReportData(dir);
  const charts = new Map(buildCharts(data).map((c) => [c.name, c]));

  it('gives the mean, sample sd and min–max over seeds', () => {
    expect(spreadOf([10, 11, 12])).toEqual({ n: 3, mean: 11, sd: 1, min: 10, max: 12 });
    expect(spreadOf([7, null, NaN])).toBeNull();
    const summaries = seedSummaries(data.rows);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    expect(summaries[0]!.testPerplexity).toEqual({ n: 3, mean: 11, sd: 1, min: 10, max: 12 });
    expect(summaries[0]!.validPerplexity).toEqual({ n: 3, mean: 12, sd: 1, min: 11, max: 13 });
    expect(summaries[0]!.testBitsPerCharacter!.mean).toBeCloseTo(2.2, 12);
  });

  it('tables put the interval beside each perplexity, and a row per configuration over its seeds', () => {
    const test = TABLE_COLUMNS.find((c) => c.title === 'Test ppl [95% CI]')!;
    expect(test.value(data.rows.find((r) => r.label === 'window n=3')!)).toBe('14.50 [13.50, 15.75]');
    // An old row without interval columns: the value alone.
    expect(test.value(data.rows.find((r) => r.label === 'window n=5')!)).toBe('13.50');
    expect(withInterval(218.394, 209.88, 227.291)).toBe('218.39 [209.88, 227.29]');
    const md = markdownSeedTable(seedSummaries(data.rows));
    expect(md).toContain('## Over seeds');
    expect(md).toContain('| ship | recurrent | lstm | sentence | 3 | 12.00 ± 1.00 [11.00–13.00] | 11.00 ± 1.00 [10.00–12.00] | 2.200 ± 0.100 |');
    expect(md).toContain('1: 10.00 [9.50, 10.50]; 2: 11.00 [10.50, 11.50]; 3: 12.00 [11.50, 12.50]');
    expect(markdownSeedTable([])).toBe('');
  });

  it('draws a one-seed run with its bootstrap interval, several seeds with mean ± sd, and old rows with no bar', () => {
    const bars = errorBars(data.ok);
    const lstm = data.ok.filter((r) => r.label === 'lstm');
    expect(bars.get(lstm[0]!.id)).toEqual({ low: 10, high: 12, kind: 'seeds', ids: lstm.map((r) => r.id) });
    expect(bars.has(lstm[1]!.id)).toBe(false);
    expect(bars.get(data.ok.find((r) => r.label === 'window n=3')!.id)).toMatchObject({ low: 13.5, high: 15.75, kind: 'bootstrap' });
    expect(bars.has(data.ok.find((r) => r.label === 'window n=5')!.id)).toBe(false);

    const chart = charts.get('test-perplexity')!;
    const rule = layers(chart).find((l) => markOf(l) === 'rule')!;
    expect(rule.encoding.x!.field).toBe('barLow');
    expect(rule.encoding.x2!.field).toBe('barHigh');
    const withBars = values(chart).filter((v) => v.barLow !== null);
    expect(withBars.map((v) => [v.name, v.seed, v.barLow, v.barHigh])).toEqual([
      ['window n=3', 1, 13.5, 15.75],
      ['lstm', 1, 10, 12],
    ]);
    expect((chart.spec.title as { subtitle: string[] }).subtitle.slice(1)).toEqual([
      "Error bars: a run's 95% bootstrap interval of its test perplexity.",
      'A configuration with several seeds: mean ± 1 sample sd over them.',
      'Ticks: individual seeds.',
    ]);

    const size = charts.get('perplexity-vs-parameters')!;
    const vertical = layers(size).find((l) => markOf(l) === 'rule')!;
    expect([vertical.encoding.x!.field, vertical.encoding.y!.field, vertical.encoding.y2!.field]).toEqual(['barX', 'barLow', 'barHigh']);
    expect(values(size).find((v) => v.name === 'lstm' && v.seed === 1)).toMatchObject({ barX: 9000, barLow: 10, barHigh: 12 });
    // Training times differ between seeds: the bar stands at their mean.
    const times = values(charts.get('perplexity-vs-training-time')!).filter((v) => v.name === 'lstm');
    const meanTime = times.reduce((s, v) => s + (v.trainSeconds as number), 0) / 3;
    expect(times.find((v) => v.seed === 1)!.barX).toBeCloseTo(meanTime, 12);

    const sweep = charts.get('sweep-window-n')!;
    expect(layers(sweep).some((l) => markOf(l) === 'rule')).toBe(true);
    expect(
      values(sweep)
        .filter((v) => v.barLow !== null)
        .map((v) => [v.value, v.barLow, v.barHigh]),
    ).toEqual([[3, 13.5, 15.75]]);
    // The n-gram sweep has no interval at all (old rows): no rule layer, no subtitle about bars.
    expect(layers(charts.get('sweep-ngram-order')!).some((l) => markOf(l) === 'rule')).toBe(false);
    expect(JSON.stringify(charts.get('sweep-ngram-order')!.spec)).not.toContain('Error bars');

    const curves = charts.get('learning-curves')!;
    const spec = JSON.stringify(curves.spec);
    expect(spec).toContain('"type":"errorband","extent":"min-max"');
    expect(spec).toContain('Bands: min–max over the seeds of a configuration with several.');
    expect(values(curves).filter((v) => v.seeds === 3)).toHaveLength(9);
  });

  it('draws bits per character when two vocabularies scored the same test text, and only then', () => {
    expect(charts.has('test-bits-per-character')).toBe(false);
    const other = threeSeedFolder();
    dirs.push(other);
    // The same text under another corpus id (another vocabulary of it): equal testTextSha256.
    for (const ext of ['json', 'bin']) cpSync(join(other, CORPORA_DIR, `${FIXTURE_CORPUS_ID}.${ext}`), join(other, CORPORA_DIR, `ship-words.${ext}`));
    const { rows, curves } = readResults(other);
    const words = rows
      .filter((r) => r.label === 'window n=3' || r.label === 'window n=5')
      .map((r, i) => ({
        ...r,
        id: `${r.id}-words`,
        cell: 100 + i,
        corpus: 'ship words',
        corpusId: 'ship-words',
        testPerplexity: 500,
        testBitsPerCharacter: 1.5 + i,
        // Another vocabulary's size: corpora of one text and one vocabulary (training sizes) compare in perplexity.
        vocabSize: r.vocabSize! + 100,
      }));
    for (const r of words) cpSync(join(other, RUNS_DIR, `${r.id.replace(/-words$/, '')}.test.f32`), join(other, RUNS_DIR, `${r.id}.test.f32`));
    writeResults(other, { rows: [...rows.map((r) => (r.label === 'window n=3' ? { ...r, testBitsPerCharacter: 1.25 } : r)), ...words], curves });
    const bits = buildCharts(loadReportData(other)).find((c) => c.name === 'test-bits-per-character')!;
    expect(bits.caption).toMatch(/word perplexities are not comparable/);
    expect(JSON.stringify(bits.spec)).toContain('"Same test text: ship, ship words."');
    // The three LSTM seeds (bits per character 2.1, 2.2, 2.3), the window run of each vocabulary.
    expect(values(bits).map((v) => [v.name, v.testBitsPerCharacter])).toEqual([
      ['window n=3 (ship)', 1.25],
      ['window n=3 (ship words)', 1.5],
      ['window n=5 (ship words)', 2.5],
      ['lstm (ship)', 2.1],
      ['lstm (ship)', 2.2],
      ['lstm (ship)', 2.3],
    ]);
  });

  it('every chart still renders without a warning', async () => {
    for (const chart of charts.values()) expect((await renderSvg(chart.spec)).warnings, chart.name).toEqual([]);
  });

  it('writes the over-seeds table into results.md and index.html', async () => {
    await writeReport(dir);
    expect(readFileSync(join(dir, 'results.md'), 'utf8')).toContain('| 11.00 ± 1.00 [10.00–12.00] |');
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<table id="over-seeds">');
    expect(html).toContain('<td class="num">11.00 ± 1.00 [10.00–12.00]</td>');
  });
});
