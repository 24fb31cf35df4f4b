import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults } from '../../harness/experiment/results.ts';
import { runMain } from '../run-main.ts';
import { pluginFolder } from './plugin-folder.ts';

/** An experiment in a user's folder, as the "done when" has it: the bigram example beside built-in models. */
const dir = pluginFolder(
  {
    'experiment.json': JSON.stringify({
      name: 'mine',
      plugins: ['./bigram/bigram.ts'],
      corpora: ['ship'],
      models: [{ plugin: 'unigram' }, { plugin: 'ngram', hyperParameters: { order: [2, 3], smoothing: 'kn', discountFallback: true } }, { plugin: 'bigram' }],
    }),
    'bad.json': JSON.stringify({ plugins: ['./none.ts'], corpora: ['ship'], models: [{ plugin: 'unigram' }] }),
    'forgot.json': JSON.stringify({ corpora: ['ship'], models: [{ plugin: 'bigram' }] }),
  },
  ['bigram'],
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The charts of one run a point or a line: an external family must be in each. */
const RUN_LEVEL = [
  'test-perplexity',
  'perplexity-vs-parameters',
  'perplexity-vs-training-time',
  'size-vs-context',
  'perplexity-by-frequency',
  'perplexity-by-position',
  'memory',
  'throughput',
];

describe('an experiment with "plugins"', () => {
  it('runs an external plug-in beside built-in models (in cell processes) into results.csv, every run-level chart and the legend', async () => {
    const out = join(dir, 'results');
    const r = await runMain('run', join(dir, 'experiment.json'), '--out', out);
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.code).toBe(0);
    const rows = readResults(out).rows;
    expect(rows.map((row) => [row.model, row.family, row.familyLabel, row.contextLength, row.contextParameter, row.status])).toEqual([
      ['unigram', 'example', 'example', 0, '', 'ok'],
      ['ngram', 'ngram', 'n-gram', 1, 'order', 'ok'],
      ['ngram', 'ngram', 'n-gram', 2, 'order', 'ok'],
      ['bigram', 'bigram', 'add-one bigram', 1, '', 'ok'],
    ]);
    // Add-one on 35 character types: worse than Kneser-Ney's bigram, better than add-one's unigram.
    const ppl = Object.fromEntries(rows.map((row) => [row.label, row.testPerplexity!]));
    expect(ppl.bigram).toBeGreaterThan(ppl['ngram order=2']!);
    expect(ppl.bigram).toBeLessThan(ppl.unigram!);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0]).toMatch(/,family,family_label,context_length,context_parameter,label,/);

    const charts = JSON.parse(readFileSync(join(out, 'charts.json'), 'utf8')) as string[];
    for (const name of RUN_LEVEL) {
      expect(charts, name).toContain(name);
      const spec = readFileSync(join(out, `${name}.vl.json`), 'utf8');
      expect(spec, name).toMatch(/"family": ?"add-one bigram"/);
    }
    // The legend: the family's colour channel lists it, with a colour of its own that no built-in family has.
    const test = JSON.parse(readFileSync(join(out, 'test-perplexity.vl.json'), 'utf8')) as unknown;
    const scale = findKey(
      test,
      'scale',
      (s) => Array.isArray((s as { domain?: unknown }).domain) && (s as { domain: string[] }).domain.includes('add-one bigram'),
    ) as {
      domain: string[];
      range: string[];
    };
    expect(scale.domain).toEqual(['n-gram', 'example', 'add-one bigram']);
    expect(new Set(scale.range).size).toBe(3);
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toMatch(/add-one bigram/);
  });

  it('refuses a plug-in it cannot load before anything runs, and says how to add one a model needs', async () => {
    const bad = await runMain('run', join(dir, 'bad.json'), '--out', join(dir, 'bad-results'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`error: ${join(dir, 'bad.json')}: "plugins": plug-in ./none.ts: no such file (${join(dir, 'none.ts')})\n`);
    const forgot = await runMain('run', join(dir, 'forgot.json'), '--out', join(dir, 'forgot-results'));
    expect(forgot.stderr).toMatch(/"models\[0\]\.plugin": unknown model "bigram"; available: .*\(a plug-in of your own: "plugins": \["\.\/my-plugin\.ts"\]\)/);
  });
});

/** The first value under `key` anywhere in a JSON value that `accept` takes. */
function findKey(value: unknown, key: string, accept: (v: unknown) => boolean): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (key in record && accept(record[key])) return record[key];
  for (const v of Object.values(record)) {
    const found = findKey(v, key, accept);
    if (found !== undefined) return found;
  }
  return undefined;
}
