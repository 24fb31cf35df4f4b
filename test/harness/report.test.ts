import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOY_TEXTS } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { buildCharts } from '../../harness/report/charts.ts';
import { latestRuns } from '../../harness/experiment/configuration.ts';
import { readResults, writeResults } from '../../harness/experiment/results.ts';
import { breakDown, loadReportData } from '../../harness/report/data.ts';
import { renderSvg } from '../../harness/report/render.ts';
import type { JsonObject } from '../../harness/report/style.ts';
import { grouped, pageTable, TABLE_COLUMNS } from '../../harness/report/table.ts';
import { writeReport } from '../../harness/report/write.ts';
import { writeFixtureResults } from './report-fixture.ts';

/** Items of each kind of mark in a Vega SVG (axes, legends and titles are their own kinds). */
function countMarks(svg: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const m of svg.matchAll(/role="graphics-symbol" aria-roledescription="([a-z ]+)"/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  return counts;
}

function frequencyBucketsOfShip(): { buckets: Set<string>; bucketOfFirst: string } {
  const chars = Array.from(TOY_TEXTS.ship);
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  const name = (n: number): string => (n <= 3 ? '1–3' : n <= 10 ? '4–10' : n <= 100 ? '11–100' : n <= 1000 ? '101–1000' : '1000+');
  return { buckets: new Set([...chars.map((c) => name(counts.get(c)!)), '</s>']), bucketOfFirst: name(counts.get(chars[0]!)!) };
}

function dataOf(spec: unknown): Record<string, unknown>[] {
  return (spec as { data: { values: Record<string, unknown>[] } }).data.values;
}

describe('report charts', () => {
  const { dir } = writeFixtureResults();
  const data = loadReportData(dir);
  const charts = buildCharts(data);
  const byName = new Map(charts.map((c) => [c.name, c]));

  it('makes every chart the results support', () => {
    expect(charts.map((c) => c.name)).toEqual([
      'test-perplexity',
      'perplexity-vs-parameters',
      'perplexity-vs-training-time',
      'learning-curves',
      'size-vs-context',
      'perplexity-by-frequency',
      'perplexity-by-position',
      'memory',
      'throughput',
      'sweep-ngram-order',
      'sweep-rnn-hidden',
      'sweep-window-n',
    ]);
  });

  it('every spec compiles without a warning and renders the expected marks', async () => {
    const finite = 10; // 11 successful runs, one with an infinite perplexity
    const { buckets } = frequencyBucketsOfShip();
    const expected: Record<string, Record<string, number>> = {
      'test-perplexity': { bar: finite, 'text mark': finite },
      'perplexity-vs-parameters': { point: finite },
      'perplexity-vs-training-time': { point: finite, 'line mark': 1 },
      'learning-curves': { 'line mark': 5, point: 15 },
      // n-gram kn (4), mle (1), add-k (1) and window (2) are points on four lines; rnn ×2 and lstm are
      // points at "unbounded" with dashed levels.
      'size-vs-context': { point: 11, 'line mark': 4, 'rule mark': 3 },
      // The mle run gave its first token probability 0: that bucket has no point for it.
      'perplexity-by-frequency': { 'line mark': 11, point: 11 * buckets.size - 1 },
      'perplexity-by-position': { 'line mark': 11, point: 11 * 20 - 1 },
      // Model size, and peak RSS in two parts (before the model, and what the model added).
      memory: { bar: 3 * 11 },
      throughput: { point: 2 * 11 },
      // add-k has one order only and mle an infinite perplexity: the sweep is kn's line.
      'sweep-ngram-order': { point: 4, 'line mark': 1 },
      'sweep-rnn-hidden': { point: 2, 'line mark': 1 },
      'sweep-window-n': { point: 2, 'line mark': 1 },
    };
    for (const chart of charts) {
      const { svg, warnings } = await renderSvg(chart.spec);
      expect(warnings, chart.name).toEqual([]);
      expect(svg.startsWith('<svg'), chart.name).toBe(true);
      const counts = countMarks(svg);
      for (const [kind, n] of Object.entries(expected[chart.name]!)) expect(counts[kind] ?? 0, `${chart.name}: ${kind}`).toBe(n);
    }
  });

  it('facets every chart by corpus when the results hold several', async () => {
    const { dir: two } = writeFixtureResults();
    const { rows, curves } = readResults(two);
    const copies = rows.map((r) => ({ ...r, id: `${r.id}-b`, corpus: 'ship again' }));
    for (const r of rows.filter((x) => x.status === 'ok')) cpSync(join(two, 'runs', `${r.id}.test.f32`), join(two, 'runs', `${r.id}-b.test.f32`));
    writeResults(two, { rows: [...rows, ...copies], curves: [...curves, ...curves.map((c) => ({ ...c, id: `${c.id}-b` }))] });
    const faceted = buildCharts(loadReportData(two));
    expect(faceted.map((c) => c.name)).toEqual(charts.map((c) => c.name));
    for (const chart of faceted) {
      // A chart of panels by family facets each panel.
      const views = (chart.spec.concat as JsonObject[] | undefined) ?? [chart.spec];
      for (const view of views) expect((view.facet as { row?: { field: string } } | undefined)?.row?.field, chart.name).toBe('corpus');
      const { svg, warnings } = await renderSvg(chart.spec);
      expect(warnings, chart.name).toEqual([]);
      const single = countMarks((await renderSvg(byName.get(chart.name)!.spec)).svg);
      const double = countMarks(svg);
      for (const kind of ['bar', 'point', 'line mark', 'rule mark']) expect(double[kind] ?? 0, `${chart.name}: ${kind}`).toBe(2 * (single[kind] ?? 0));
    }
  });

  it('keeps one colour per family in every chart', () => {
    const colours = new Map<string, string>();
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.field === 'family' && o.scale) {
        const { domain, range } = o.scale as { domain: string[]; range: string[] };
        domain.forEach((d, i) => {
          expect(colours.get(d) ?? range[i], d).toBe(range[i]);
          colours.set(d, range[i]!);
        });
      }
      Object.values(o).forEach(walk);
    };
    charts.forEach((c) => {
      walk(c.spec);
    });
    expect([...colours.keys()].sort()).toEqual(['before the model (Node, corpus)', 'fixed window', 'n-gram', 'recurrent']);
    expect(new Set(colours.values()).size).toBe(4);
  });

  it('notes runs with an infinite perplexity instead of plotting them', () => {
    const title = byName.get('test-perplexity')!.spec.title as { subtitle: string[] };
    expect(title.subtitle.join(' ')).toMatch(/Not shown \(infinite perplexity.*\): ngram order=3 smoothing=mle/);
  });

  it('calls a NaN perplexity (results from before diverged runs failed) diverged, not a probability 0', () => {
    const { dir } = writeFixtureResults();
    const results = readResults(dir);
    writeResults(dir, { ...results, rows: results.rows.map((r) => (r.label === 'window n=3' ? { ...r, testPerplexity: NaN } : r)) });
    const title = buildCharts(loadReportData(dir)).find((c) => c.name === 'test-perplexity')!.spec.title as { subtitle: string[] };
    expect(title.subtitle).toEqual([
      'Not shown (infinite perplexity: a test token had probability 0): ngram order=3 smoothing=mle.',
      'Not shown (diverged: NaN perplexity): window n=3.',
    ]);
  });

  it('breaks perplexity down by position and frequency from the per-token log-probabilities', () => {
    // lstm's fixture log-probability at 0-based position p is −(4 + 0.01·(p mod 7)).
    const position = dataOf(byName.get('perplexity-by-position')!.spec).filter((v) => v.name === 'lstm');
    expect(position.map((v) => v.bucket)).toEqual([...Array.from({ length: 19 }, (_, i) => String(i + 1)), '20+']);
    for (const v of position.slice(0, 19)) {
      const p = Number(v.bucket) - 1;
      expect(v.perplexity as number).toBeCloseTo(Math.exp(4 + 0.01 * (p % 7)), 3);
      expect(v.tokens).toBe(1);
    }
    const tail = Array.from(TOY_TEXTS.ship).length + 1 - 19;
    expect(position[19]!.tokens).toBe(tail);
    let sum = 0;
    for (let p = 19; p < 19 + tail; p++) sum += 4 + 0.01 * (p % 7);
    expect(position[19]!.perplexity as number).toBeCloseTo(Math.exp(sum / tail), 3);

    const { bucketOfFirst } = frequencyBucketsOfShip();
    const mle = dataOf(byName.get('perplexity-by-frequency')!.spec).filter((v) => v.name === 'ngram order=3 smoothing=mle');
    expect(mle.map((v) => v.bucket)).not.toContain(bucketOfFirst);
    const tokens = dataOf(byName.get('perplexity-by-frequency')!.spec)
      .filter((v) => v.name === 'lstm')
      .reduce((s, v) => s + (v.tokens as number), 0);
    expect(tokens).toBe(Array.from(TOY_TEXTS.ship).length + 1);
  });

  it('puts n-gram orders and window sizes at n − 1 words of context and recurrent models past them all', () => {
    const values = dataOf(byName.get('size-vs-context')!.spec);
    expect(values.filter((v) => v.plugin === 'ngram').map((v) => [v.series, v.context])).toEqual([
      ['ngram smoothing=kn', 0],
      ['ngram smoothing=kn', 1],
      ['ngram smoothing=kn', 2],
      ['ngram smoothing=kn', 3],
      ['ngram smoothing=mle', 2],
      ['ngram smoothing=add-k', 2],
    ]);
    expect(values.filter((v) => v.plugin === 'window').map((v) => v.context)).toEqual([2, 4]);
    expect(values.filter((v) => v.family === 'recurrent').map((v) => [v.context, v.unbounded])).toEqual([
      [5, true],
      [5, true],
      [5, true],
    ]);
    expect(values.filter((v) => v.family !== 'recurrent').every((v) => v.unbounded === false)).toBe(true);
  });

  it('breakDown pools a run by bucket', () => {
    const corpus = { meta: {} as never, trainCounts: Uint32Array.from([5, 0, 2, 1, 50, 2000, 0]), testTargets: Int32Array.from([3, 4, 0, 2, 5, 2, 6]) };
    // Id 6 is in the vocabulary but was never seen in training (a vocabulary counted on more text than train).
    const lp = Float32Array.from([-1, -2, -3, -4, -5, -6, -7]);
    const t = breakDown(corpus, lp);
    const f = Object.fromEntries(t.byFrequency.map((b) => [b.bucket, [b.tokens, b.logprob]]));
    expect(f).toEqual({
      '<unk>': [1, -3],
      '0': [1, -7],
      '1–3': [1, -1],
      '4–10': [0, 0],
      '11–100': [1, -2],
      '101–1000': [0, 0],
      '1000+': [1, -5],
      '</s>': [2, -10],
    });
    const p = t.byPosition.filter((b) => b.tokens > 0).map((b) => [b.bucket, b.tokens, b.logprob]);
    expect(p).toEqual([
      ['1', 3, -13],
      ['2', 2, -8],
      ['3', 1, -3],
      ['4', 1, -4],
    ]);
  });
});

function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    if (/\.(svg|json|html|md|js)$/.test(name)) files.set(name, readFileSync(join(dir, name), 'utf8'));
  }
  return files;
}

describe('report files', () => {
  it('writes spec, SVG, index.html and results.md, and the same results give the same bytes', async () => {
    const { dir } = writeFixtureResults();
    const { charts } = await writeReport(dir);
    for (const c of charts) {
      expect(JSON.parse(readFileSync(join(dir, `${c.name}.vl.json`), 'utf8'))).toEqual(c.spec);
      expect(readFileSync(join(dir, `${c.name}.svg`), 'utf8')).toMatch(/^<svg[^>]*>/);
    }
    for (const f of ['index.html', 'results.md', 'vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js']) expect(existsSync(join(dir, f)), f).toBe(true);
    const first = snapshot(dir);

    await writeReport(dir);
    expect(snapshot(dir)).toEqual(first);

    // From a copy of the results alone, in another folder.
    const copy = mkdtempSync(join(tmpdir(), 'pb-report-copy-'));
    for (const f of ['results.csv', 'learning-curves.csv', 'runs', 'corpora']) cpSync(join(dir, f), join(copy, f), { recursive: true });
    await writeReport(copy);
    expect(snapshot(copy)).toEqual(first);
  });

  it('lists every run in the table, failures with their message', async () => {
    const { dir } = writeFixtureResults();
    await writeReport(dir);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html.match(/<tr[ >]/g)).toHaveLength(1 + 12);
    expect(html).toContain('<tr class="failed">');
    expect(html).toContain('failed: RangeError: &quot;bad&quot;, really');
    expect(html).not.toMatch(/https?:\/\/(?!vega\.github\.io\/schema)/);
    const md = readFileSync(join(dir, 'results.md'), 'utf8');
    expect(md.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(2 + 12);
    expect(md).toContain('| ship | n-gram | ngram order=3 smoothing=mle | sentence | 1 | ∞ | ∞ |');
  });

  it('removes the charts a previous report made that the results no longer support', async () => {
    const { dir } = writeFixtureResults();
    await writeReport(dir);
    expect(existsSync(join(dir, 'learning-curves.svg'))).toBe(true);
    writeFileSync(join(dir, 'learning-curves.csv'), `${readFileSync(join(dir, 'learning-curves.csv'), 'utf8').split('\n')[0]}\n`);
    writeFileSync(join(dir, 'mine.svg'), '<svg/>');
    await writeReport(dir);
    expect(existsSync(join(dir, 'learning-curves.svg'))).toBe(false);
    expect(existsSync(join(dir, 'learning-curves.vl.json'))).toBe(false);
    expect(existsSync(join(dir, 'mine.svg'))).toBe(true);
  });

  it('shows the micro-benchmark figures when bench:micro left them in the folder', async () => {
    const { dir } = writeFixtureResults();
    const bench = {
      node: 'v20.20.2',
      cpus: 2,
      results: {
        'ngram.bench.ts': [{ title: 'n-gram scoring', rows: [{ task: 'kn order 3', 'tokens/s': 1234567.8, 'ms/op': 0.01234 }], notes: ['Brown test split'] }],
        'ngram-scale.ts': [{ title: 'n-gram at scale', rows: [{ words: 3000024, 'ours s': 3.94 }], chart: 'ngram-scale.svg' }],
      },
    };
    writeFileSync(join(dir, 'bench.json'), JSON.stringify(bench));
    await writeReport(dir);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('<section id="micro-benchmarks">');
    expect(html).toContain('<h3>n-gram scoring <small>(ngram.bench.ts)</small></h3>');
    expect(html).toContain('<td>kn order 3</td><td class="num">1,234,568</td><td class="num">0.0123</td>');
    expect(html).toContain('Brown test split');
    expect(html).toContain('<figure><img src="ngram-scale.svg" alt="n-gram at scale"></figure>');

    writeFileSync(join(dir, 'bench.json'), JSON.stringify({ results: { 'x.bench.ts': [{ rows: [] }] } }));
    await expect(writeReport(dir)).rejects.toThrow(/bench\.json: "results\.x\.bench\.ts\[0\]\.title": /);
    writeFileSync(join(dir, 'bench.json'), JSON.stringify({ results: { 'x.ts': [{ title: 't', rows: [], chart: '../elsewhere.svg' }] } }));
    await expect(writeReport(dir)).rejects.toThrow(/bench\.json: "results\.x\.ts\[0\]\.chart": /);
  });

  it('leaves a run out of the per-token charts, with a warning, when its file does not fit its corpus', async () => {
    const { dir } = writeFixtureResults();
    const id = readFileSync(join(dir, 'results.csv'), 'utf8').split('\n')[1]!.split(',')[2]!;
    writeFileSync(join(dir, 'runs', `${id}.test.f32`), new Uint8Array(12));
    const { warnings } = await writeReport(dir);
    const tokens = Array.from(TOY_TEXTS.ship).length + 1;
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^ngram order=1 smoothing=kn \\(ship, seed 1\\) left out of the per-token charts: .* holds 3 tokens, its corpus has ${tokens}$`),
      ),
    ]);
    const values = (JSON.parse(readFileSync(join(dir, 'perplexity-by-position.vl.json'), 'utf8')) as { data: { values: { name: string }[] } }).data.values;
    expect(values.some((v) => v.name === 'ngram order=1 smoothing=kn')).toBe(false);
  });

  it('needs a results folder', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pb-empty-'));
    await expect(writeReport(empty)).rejects.toThrow(UserError);
    await expect(writeReport(empty)).rejects.toThrow(/results\.csv: not found; run an experiment first/);
    rmSync(empty, { recursive: true });
  });

  it('formats numbers the same way on every machine', () => {
    expect(grouped(1234567.891, 2)).toBe('1,234,567.89');
    expect(grouped(-5, 0)).toBe('−5');
    expect(grouped(Infinity)).toBe('∞');
  });
});

/** The layers of a chart, or of each of its panels, with the panel's title. */
function panelsOf(spec: JsonObject): { title: string; filter: unknown; layer: { encoding: Record<string, JsonObject> }[] }[] {
  return (spec.concat as JsonObject[]).map((p) => ({
    title: (p.title as { text: string }).text,
    filter: (p.transform as { filter: unknown }[])[0]!.filter,
    layer: p.layer as unknown as { encoding: Record<string, JsonObject> }[],
  }));
}

describe('the report read by a person', () => {
  const { dir } = writeFixtureResults();
  const data = loadReportData(dir);
  const byName = new Map(buildCharts(data).map((c) => [c.name, c]));

  it('draws test perplexity on a log axis, so one bad model does not squeeze the others', () => {
    const layers = byName.get('test-perplexity')!.spec.layer as { mark: { type: string }; encoding: { x: JsonObject } }[];
    expect(layers.map((l) => [l.mark.type, (l.encoding.x.scale as { type: string }).type])).toEqual([
      ['bar', 'log'],
      ['text', 'log'],
    ]);
    expect(layers[0]!.encoding.x.title).toBe('Test perplexity (log scale; lower is better)');
  });

  it('draws learning curves and perplexity breakdowns as a panel per family, each run its own colour and each plug-in its own dash', async () => {
    const runsOf = (family: string): string[] => data.ok.filter((r) => r.family === family).map((r) => r.label);
    for (const name of ['learning-curves', 'perplexity-by-frequency', 'perplexity-by-position']) {
      const chart = byName.get(name)!;
      const panels = panelsOf(chart.spec);
      const families = name === 'learning-curves' ? ['window', 'recurrent'] : ['ngram', 'window', 'recurrent'];
      expect(
        panels.map((p) => p.title),
        name,
      ).toEqual(families.map((f) => ({ ngram: 'n-gram', window: 'fixed window', recurrent: 'recurrent' })[f]));
      panels.forEach((panel, i) => {
        expect(panel.filter).toEqual({ field: 'family', equal: panel.title });
        const { color, strokeDash } = panel.layer[0]!.encoding;
        for (const channel of [color!, strokeDash!]) {
          expect(channel.field).toBe('name');
          expect(channel.title).toBe('Run');
          expect((channel.scale as { domain: string[] }).domain, `${name}: ${panel.title}`).toEqual(runsOf(families[i]!));
        }
        const colours = (color!.scale as { range: string[] }).range;
        expect(new Set(colours).size, `${name}: ${panel.title}`).toBe(colours.length);
      });
      // In the recurrent panel, the two rnn runs share a dash and the lstm has another; the family colour comes first.
      const recurrent = panels.find((p) => p.title === 'recurrent')!.layer[0]!.encoding;
      const dashes = (recurrent.strokeDash!.scale as { range: number[][] }).range;
      expect(dashes[0]).toEqual(dashes[1]);
      expect(dashes[2]).not.toEqual(dashes[0]);
      expect((recurrent.color!.scale as { range: string[] }).range[0]).toBe('#54a24b');
      expect(chart.spec.resolve).toEqual({ scale: { x: 'shared', y: 'shared', color: 'independent', strokeDash: 'independent' } });
      // One legend a panel, naming its runs.
      const { svg } = await renderSvg(chart.spec);
      expect(svg.match(/aria-roledescription="legend"/g), name).toHaveLength(families.length);
      expect(svg).toContain("Symbol legend titled 'Run' for fill color, stroke color and strokeDash with 3 values: rnn hidden=16, rnn hidden=32, lstm");
    }
  });

  it('says what the speed and time charts measure, as the code measures it', () => {
    expect(byName.get('throughput')!.caption).toBe(
      'Training tokens per second (wall clock of training alone: the validation passes between epochs are left out) and test tokens scored per second.',
    );
    expect(byName.get('perplexity-vs-training-time')!.caption).toMatch(/the validation passes between epochs included\)\.$/);
  });

  it('fits the results table to the page and keeps every column in results.md', async () => {
    expect(pageTable(data.rows).columns.map((c) => c.title)).toEqual([
      'Family',
      'Model',
      'Valid ppl [95% CI]',
      'Test ppl [95% CI]',
      'Test ppl w/o <unk>',
      'Test bits/char',
      'Parameters',
      'Model MiB',
      'Train s',
      'Epochs',
      'Status',
    ]);
    expect(pageTable(data.rows).shared).toEqual(['corpus ship', 'protocol sentence', 'seed 1']);
    expect(
      pageTable([...data.rows, { ...data.rows[0]!, corpus: 'other', seed: 2 }])
        .columns.map((c) => c.title)
        .slice(0, 4),
    ).toEqual(['Corpus', 'Family', 'Model', 'Seed']);
    const copy = writeFixtureResults().dir;
    await writeReport(copy);
    const html = readFileSync(join(copy, 'index.html'), 'utf8');
    expect(html).toContain('<thead><tr><th>Family</th><th>Model</th><th class="num">Valid ppl [95% CI]</th>');
    expect(html).toContain('every run has corpus ship, protocol sentence, seed 1');
    expect(html).toContain('<td class="wrap">failed: RangeError: &quot;bad&quot;, really</td>');
    // The corpus, once: split sizes, <unk> rates and the vocabulary rule its perplexities depend on.
    const tokens = Array.from(TOY_TEXTS.ship).length + 1;
    expect(html).toContain(
      `<p class="meta corpus">ship: train ${tokens} tokens (0.00% &lt;unk&gt;), valid ${tokens} tokens (0.00% &lt;unk&gt;), test ${tokens} tokens (0.00% &lt;unk&gt;); ` +
        'vocabulary 28 types with &lt;unk&gt; &lt;s&gt; &lt;/s&gt;: every character in the 180 training characters; the others are &lt;unk&gt;.</p>',
    );
    const md = readFileSync(join(copy, 'results.md'), 'utf8');
    expect(md.split('\n')[0]).toBe(`| ${TABLE_COLUMNS.map((c) => c.title.replace(/</g, '&lt;')).join(' | ')} |`);
  });

  it('shows the latest run of each configuration and lists the runs it supersedes', async () => {
    const { dir: stale } = writeFixtureResults();
    const { rows, curves } = readResults(stale);
    const lstm = rows.find((r) => r.label === 'lstm')!;
    // The same configuration on the corpus before its file changed: another corpus id, so another run id.
    const before = { ...lstm, id: 'lstm-before', corpusId: 'ship-0ld', testPerplexity: 99, date: '2025-12-31T00:00:00.000Z' };
    writeResults(stale, { rows: [...rows, before], curves: [...curves, ...curves.filter((c) => c.id === lstm.id).map((c) => ({ ...c, id: before.id }))] });
    const loaded = loadReportData(stale);
    expect(loaded.rows.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    expect(loaded.superseded.map((r) => r.id)).toEqual(['lstm-before']);
    const { charts } = await writeReport(stale);
    const bars = dataOf(charts.find((c) => c.name === 'test-perplexity')!.spec).filter((v) => v.name === 'lstm');
    expect(bars.map((v) => v.testPerplexity)).toEqual([11]);
    const html = readFileSync(join(stale, 'index.html'), 'utf8');
    expect(html).toContain('<summary>1 earlier run superseded by a later run of the same configuration');
    expect(html).toContain('12 runs (1 failed) and 1 superseded');
    expect(html.match(/<table id="superseded-results">[\s\S]*?<\/table>/)![0].match(/<tr[ >]/g)).toHaveLength(2);
    const md = readFileSync(join(stale, 'results.md'), 'utf8');
    expect(md.split('\n').filter((l) => l.includes('| superseded: epochs |'))).toHaveLength(1);
    // The later run wins whichever row comes first; a tie goes to the later row.
    expect(latestRuns([{ ...before, date: '2026-02-01T00:00:00.000Z' }, lstm]).latest.map((r) => r.id)).toEqual(['lstm-before']);
    expect(latestRuns([before, { ...lstm, date: before.date }]).superseded.map((r) => r.id)).toEqual(['lstm-before']);
  });
});
