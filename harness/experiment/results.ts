import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../../errors/user-error.ts';
import { writeFileAtomic } from './atomic.ts';
import { earlierContext, earlierFamilyLabel } from './earlier-rows.ts';

export const RESULTS_FILE = 'results.csv';
export const CURVES_FILE = 'learning-curves.csv';

/** Why a CSV field cannot be read as its column's value. */
class BadField extends Error {}

/**
 * One column of a CSV file: its header, the row's key, and how its text reads. A column added in a later version
 * has `fill`, which gives its value for the rows of a file written before it (from the rest of the row).
 */
interface Column<K extends string, V> {
  readonly header: string;
  readonly key: K;
  read(text: string): V;
  readonly fill?: (row: Readonly<Record<string, unknown>>) => V;
}

type AnyColumn = Column<string, unknown>;

/** The row type a table of columns describes: one key a column, of the type its `read` gives. */
export type RowOf<C extends readonly AnyColumn[]> = { [Col in C[number] as Col['key']]: Col extends Column<string, infer V> ? V : never };

const text = <K extends string>(header: string, key: K, fill?: Column<K, string>['fill']): Column<K, string> => ({
  header,
  key,
  read: (t) => t,
  ...(fill ? { fill } : {}),
});

const oneOf = <K extends string, const V extends string>(header: string, key: K, values: readonly V[]): Column<K, V> => ({
  header,
  key,
  read: (t) => {
    if (!(values as readonly string[]).includes(t)) throw new BadField(`"${t}" is not one of ${values.join(', ')}`);
    return t as V;
  },
});

function readNumber(t: string): number {
  const value = Number(t);
  // "NaN" is a value (a perplexity without `<unk>` on a split of `<unk>` only); anything else unreadable is an error.
  if (t === '' || (Number.isNaN(value) && t !== 'NaN')) throw new BadField(`"${t}" is not a number`);
  return value;
}

const number = <K extends string>(header: string, key: K): Column<K, number> => ({ header, key, read: readNumber });

/** A measurement: empty when the run failed. */
const measured = <K extends string>(header: string, key: K): Column<K, number | null> => ({ header, key, read: (t) => (t === '' ? null : readNumber(t)) });

/** A measurement added in a later version: empty in the rows of a file written before it. */
const laterMeasured = <K extends string>(header: string, key: K): Column<K, number | null> => ({ ...measured(header, key), fill: () => null });

/** Words of history, `unbounded`, or empty when the plug-in states none. */
const contextColumn = <K extends string>(
  header: string,
  key: K,
  fill: Column<K, number | 'unbounded' | null>['fill'],
): Column<K, number | 'unbounded' | null> => ({
  header,
  key,
  read: (t) => (t === '' ? null : t === 'unbounded' ? 'unbounded' : readNumber(t)),
  ...(fill ? { fill } : {}),
});

/** The columns of `results.csv`, in file order: the one description of a results row (`ResultRow` is derived from it). */
export const RESULT_COLUMNS = [
  text('experiment', 'experiment'),
  /** Position of the run in its experiment's grid; rows are kept in this order. */
  number('cell', 'cell'),
  text('id', 'id'),
  oneOf('status', 'status', ['ok', 'failed']),
  /** Why a failed run failed. */
  text('error', 'error'),
  text('corpus', 'corpus'),
  text('corpus_id', 'corpusId'),
  text('model', 'model'),
  text('family', 'family'),
  /** What the plug-in calls its family, and its context length: recorded at run time, so the report needs no plug-in. */
  text('family_label', 'familyLabel', (row) => earlierFamilyLabel(String(row.family))),
  contextColumn('context_length', 'contextLength', (row) => earlierContext(String(row.family), String(row.hyperParameters)).length),
  /** The hyper-parameter that sets the context length (a sweep over it is one line of the size-against-context chart). */
  text('context_parameter', 'contextParameter', (row) => earlierContext(String(row.family), String(row.hyperParameters)).parameter),
  text('label', 'label'),
  /** The validated hyper-parameters as canonical JSON. */
  text('hyper_parameters', 'hyperParameters'),
  number('seed', 'seed'),
  text('mode', 'mode'),
  /** The budget as canonical JSON. */
  text('budget', 'budget'),
  measured('valid_perplexity', 'validPerplexity'),
  measured('test_perplexity', 'testPerplexity'),
  /** KenLM's "excluding OOVs": `<unk>` targets left out of the sum and the count. */
  measured('test_perplexity_without_unk', 'testPerplexityWithoutUnk'),
  /** The 95% bootstrap interval of each perplexity (harness/statistics/bootstrap.ts; empty in rows from before 1.1). */
  laterMeasured('valid_perplexity_low', 'validPerplexityLow'),
  laterMeasured('valid_perplexity_high', 'validPerplexityHigh'),
  laterMeasured('test_perplexity_low', 'testPerplexityLow'),
  laterMeasured('test_perplexity_high', 'testPerplexityHigh'),
  /**
   * Bits per character of each split's text (harness/metrics.ts): comparable across vocabularies and tokenisations,
   * as word perplexities are not; the characters are the words' code points plus one separator each (empty before 1.1).
   */
  laterMeasured('valid_bits_per_character', 'validBitsPerCharacter'),
  laterMeasured('test_bits_per_character', 'testBitsPerCharacter'),
  laterMeasured('valid_characters', 'validCharacters'),
  laterMeasured('test_characters', 'testCharacters'),
  measured('valid_tokens', 'validTokens'),
  measured('test_tokens', 'testTokens'),
  measured('valid_unk', 'validUnk'),
  measured('test_unk', 'testUnk'),
  measured('vocab_size', 'vocabSize'),
  measured('train_tokens', 'trainTokens'),
  measured('parameters', 'parameters'),
  measured('model_bytes', 'modelBytes'),
  /** An n-gram model's stored n-grams (every order): model_bytes / stored_ngrams is its bytes per n-gram (empty for other families and in rows from before it was recorded). */
  laterMeasured('stored_ngrams', 'storedNgrams'),
  /** maxRSS of the run's process after loading the corpus, before the model existed. */
  measured('baseline_rss_bytes', 'baselineRssBytes'),
  /** maxRSS of the run's process at the end (training and scoring included). */
  measured('peak_rss_bytes', 'peakRssBytes'),
  measured('train_seconds', 'trainSeconds'),
  measured('train_tokens_per_second', 'trainTokensPerSecond'),
  measured('scoring_tokens_per_second', 'scoringTokensPerSecond'),
  measured('epochs', 'epochs'),
  measured('best_epoch', 'bestEpoch'),
  text('stopped_by', 'stoppedBy'),
  text('git_commit', 'gitCommit'),
  text('node_version', 'nodeVersion'),
  text('cpu_model', 'cpuModel'),
  /** The float32 kernels' build the run used (`relaxed` or `simd`; empty in rows from before it was recorded). */
  text('kernels', 'kernels', () => ''),
  text('date', 'date'),
] as const;

/** One run of an experiment, as a row of `results.csv`. Measurements are null when the run failed. */
export type ResultRow = RowOf<typeof RESULT_COLUMNS>;

/** What a run measures: none of it yet (a failed run; the fields a row of its own kind does not have). */
export const NO_MEASUREMENTS = {
  validPerplexity: null,
  testPerplexity: null,
  testPerplexityWithoutUnk: null,
  validPerplexityLow: null,
  validPerplexityHigh: null,
  testPerplexityLow: null,
  testPerplexityHigh: null,
  validBitsPerCharacter: null,
  testBitsPerCharacter: null,
  validCharacters: null,
  testCharacters: null,
  validTokens: null,
  testTokens: null,
  validUnk: null,
  testUnk: null,
  vocabSize: null,
  trainTokens: null,
  parameters: null,
  modelBytes: null,
  storedNgrams: null,
  baselineRssBytes: null,
  peakRssBytes: null,
  trainSeconds: null,
  trainTokensPerSecond: null,
  scoringTokensPerSecond: null,
  epochs: null,
  bestEpoch: null,
  stoppedBy: '',
} as const satisfies Partial<ResultRow>;

/** The columns of `learning-curves.csv`: a point of a learning curve a row. */
export const CURVE_COLUMNS = [
  text('id', 'id'),
  number('epoch', 'epoch'),
  number('tokens_seen', 'tokensSeen'),
  number('seconds', 'seconds'),
  number('train_loss', 'trainLoss'),
  number('valid_perplexity', 'validPerplexity'),
  measured('learning_rate', 'learningRate'),
] as const;

export type CurveRow = RowOf<typeof CURVE_COLUMNS>;

/** Numbers as JavaScript prints them (shortest round-trip form), so writing what was read changes nothing. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function toCsv<C extends readonly AnyColumn[]>(columns: C, rows: readonly RowOf<C>[]): string {
  return stringify(
    rows.map((r) => columns.map((c) => cell((r as Record<string, unknown>)[c.key]))),
    { header: true, columns: columns.map((c) => c.header), record_delimiter: '\n' },
  );
}

function fromCsv<C extends readonly AnyColumn[]>(columns: C, path: string): RowOf<C>[] {
  const text = readFileSync(path, 'utf8');
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new UserError(`${path}: not a valid CSV file (${(e as Error).message})`);
  }
  const header = records[0] ?? [];
  // A file of an earlier version may lack the columns added since (those with `fill`); nothing else may differ.
  const expected = columns.filter((c) => c.fill === undefined || header.includes(c.header)).map((c) => c.header);
  if (header.join(',') !== expected.join(',')) {
    const missing = expected.filter((h) => !header.includes(h));
    const extra = header.filter((h) => !expected.includes(h));
    throw new UserError(
      `${path}: unexpected header (written by another version of perplexity-bench?)` +
        (missing.length ? `; missing columns ${missing.join(', ')}` : '') +
        (extra.length ? `; unknown columns ${extra.join(', ')}` : '') +
        (!missing.length && !extra.length ? '; columns are in another order' : ''),
    );
  }
  return records.slice(1).map((record, i) => {
    const row: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const column = columns.find((c) => c.header === h)!;
      try {
        row[column.key] = column.read(record[j] ?? '');
      } catch (e) {
        if (!(e instanceof BadField)) throw e;
        throw new UserError(`${path}: line ${i + 2}, column ${h}: ${e.message}`);
      }
    });
    for (const c of columns) if (!(c.key in row) && c.fill) row[c.key] = c.fill(row);
    return row as RowOf<C>;
  });
}

/** Rows in a stable order: by experiment, then grid position, then id. */
export function sortRows(rows: readonly ResultRow[]): ResultRow[] {
  return [...rows].sort(
    (a, b) => (a.experiment < b.experiment ? -1 : a.experiment > b.experiment ? 1 : 0) || a.cell - b.cell || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

export interface ResultSet {
  readonly rows: ResultRow[];
  readonly curves: CurveRow[];
}

export function readResults(dir: string): ResultSet {
  const path = join(dir, RESULTS_FILE);
  if (!existsSync(path)) return { rows: [], curves: [] };
  const rows = fromCsv(RESULT_COLUMNS, path);
  const curvesPath = join(dir, CURVES_FILE);
  const curves = existsSync(curvesPath) ? fromCsv(CURVE_COLUMNS, curvesPath) : [];
  return { rows, curves };
}

/**
 * Write both files atomically, curves first: a results row always has its curve on disk, whatever moment an
 * interrupt hits (a curve without its row is ignored and dropped by the next write).
 */
export function writeResults(dir: string, set: ResultSet): void {
  const rows = sortRows(set.rows);
  const ids = new Map(rows.map((r, i) => [r.id, i]));
  const curves = set.curves.filter((c) => ids.has(c.id)).sort((a, b) => ids.get(a.id)! - ids.get(b.id)! || a.epoch - b.epoch);
  writeFileAtomic(join(dir, CURVES_FILE), toCsv(CURVE_COLUMNS, curves));
  writeFileAtomic(join(dir, RESULTS_FILE), toCsv(RESULT_COLUMNS, rows));
}
