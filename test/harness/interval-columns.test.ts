import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESULT_COLUMNS, readResults, writeResults } from '../../harness/experiment/results.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-intervals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const INTERVALS = ['valid_perplexity_low', 'valid_perplexity_high', 'test_perplexity_low', 'test_perplexity_high'];

/** A results.csv of one ok row with these headers, the perplexities and intervals given where the header has them. */
function writeCsv(headers: readonly string[], values: Readonly<Record<string, string>>): void {
  const base: Record<string, string> = { status: 'ok', cell: '0', seed: '1', model: 'ngram', family: 'ngram', hyper_parameters: '{}' };
  const row = headers.map((h) => values[h] ?? base[h] ?? '');
  writeFileSync(join(dir, 'results.csv'), `${headers.join(',')}\n${row.join(',')}\n`);
}

describe('the interval columns of results.csv', () => {
  it('round-trip their values', () => {
    const headers = RESULT_COLUMNS.map((c) => c.header);
    expect(headers.slice(headers.indexOf('test_perplexity_without_unk') + 1).slice(0, 4)).toEqual(INTERVALS);
    writeCsv(headers, {
      valid_perplexity: '156.92',
      valid_perplexity_low: '154.867',
      valid_perplexity_high: '159.156',
      test_perplexity: '150.5',
      test_perplexity_low: '148.25',
      test_perplexity_high: 'Infinity',
    });
    const { rows } = readResults(dir);
    expect(rows[0]).toMatchObject({ validPerplexityLow: 154.867, validPerplexityHigh: 159.156, testPerplexityLow: 148.25, testPerplexityHigh: Infinity });
    const before = readFileSync(join(dir, 'results.csv'), 'utf8');
    writeResults(dir, { rows, curves: [] });
    expect(readResults(dir).rows).toEqual(rows);
    expect(readFileSync(join(dir, 'results.csv'), 'utf8')).toBe(before);
  });

  it('are empty (null) in the rows of a file written before them, and are written back as empty columns', () => {
    const headers = RESULT_COLUMNS.map((c) => c.header).filter((h) => !INTERVALS.includes(h));
    writeCsv(headers, { valid_perplexity: '20', test_perplexity: '21' });
    const { rows } = readResults(dir);
    expect(rows[0]).toMatchObject({
      validPerplexity: 20,
      validPerplexityLow: null,
      validPerplexityHigh: null,
      testPerplexityLow: null,
      testPerplexityHigh: null,
    });
    writeResults(dir, { rows, curves: [] });
    expect(readFileSync(join(dir, 'results.csv'), 'utf8').split('\n')[0]).toBe(RESULT_COLUMNS.map((c) => c.header).join(','));
    expect(readResults(dir).rows).toEqual(rows);
  });

  it('refuse a value that is not a number, naming the line and column', () => {
    writeCsv(
      RESULT_COLUMNS.map((c) => c.header),
      { test_perplexity_low: 'low' },
    );
    expect(() => readResults(dir)).toThrow(/results\.csv: line 2, column test_perplexity_low: "low" is not a number/);
  });
});
