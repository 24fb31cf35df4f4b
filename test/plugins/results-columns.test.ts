import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESULT_COLUMNS, readResults, writeResults } from '../../harness/experiment/results.ts';
import { FAMILIES, familyColour, familyColourOf } from '../../harness/report/style.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-columns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The columns added since results.csv first had a header: older files lack them. */
const ADDED = ['family_label', 'context_length', 'context_parameter'];

describe('results.csv of an earlier version', () => {
  it('still reads, the family label and context length filled by the rules of then, and is written back with the new columns', () => {
    const header = RESULT_COLUMNS.map((c) => c.header).filter((h) => !ADDED.includes(h));
    const row = (model: string, family: string, hp: string): string[] =>
      header
        .map((h) => ({ model, family, hyper_parameters: hp, status: 'ok', cell: '0', seed: '1' })[h] ?? '')
        .map((v) => (v.includes(',') || v.includes('"') ? `"${v.replaceAll('"', '""')}"` : v));
    const lines = [
      header.join(','),
      row('ngram', 'ngram', '{"order":4}').join(','),
      row('window', 'window', '{"n":6}').join(','),
      row('lstm', 'recurrent', '{}').join(','),
      row('bigram', 'bigram', '{}').join(','),
    ];
    writeFileSync(join(dir, 'results.csv'), `${lines.join('\n')}\n`);
    const { rows } = readResults(dir);
    expect(rows.map((r) => [r.model, r.familyLabel, r.contextLength, r.contextParameter])).toEqual([
      ['ngram', 'n-gram', 3, 'order'],
      ['window', 'fixed window', 5, 'n'],
      ['lstm', 'recurrent', 'unbounded', ''],
      ['bigram', 'bigram', null, ''],
    ]);
    writeResults(dir, { rows, curves: [] });
    expect(readResults(dir).rows).toEqual(rows);
  });

  it('refuses a header that lacks a column that has always been there', () => {
    const header = RESULT_COLUMNS.map((c) => c.header).filter((h) => h !== 'seed');
    writeFileSync(join(dir, 'results.csv'), `${header.join(',')}\n`);
    expect(() => readResults(dir)).toThrow(/unexpected header .*; missing columns seed/);
  });
});

describe('colours of families the report has never heard of', () => {
  it('are the same in every chart, differ from the built-in families, and leave those theirs', () => {
    const builtIn = FAMILIES.map((f) => f.colour);
    expect(familyColourOf('add-one bigram')).toBe(familyColourOf('add-one bigram'));
    expect(builtIn).not.toContain(familyColourOf('add-one bigram'));
    expect(new Set(['a', 'b', 'c', 'class-based', 'cache'].map(familyColourOf)).size).toBeGreaterThan(3);
    const one = familyColour(['add-one bigram', 'n-gram']).scale as { domain: string[]; range: string[] };
    const other = familyColour(['recurrent', 'add-one bigram']).scale as { domain: string[]; range: string[] };
    expect(one.domain).toEqual(['n-gram', 'add-one bigram']);
    expect(one.range).toEqual(['#4c78a8', familyColourOf('add-one bigram')]);
    expect(other.range[1]).toBe(one.range[1]);
  });
});
