import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../../errors/user-error.ts';
import { writeFileAtomic } from './atomic.ts';

export const RESULTS_FILE = 'results.csv';
export const CURVES_FILE = 'learning-curves.csv';

/** One run of an experiment, as a row of `results.csv`. Measurements are null when the run failed. */
export interface ResultRow {
  experiment: string;
  /** Position of the run in its experiment's grid; rows are kept in this order. */
  cell: number;
  id: string;
  status: 'ok' | 'failed';
  /** Why a failed run failed. */
  error: string;
  corpus: string;
  corpusId: string;
  model: string;
  family: string;
  label: string;
  /** The validated hyper-parameters as canonical JSON. */
  hyperParameters: string;
  seed: number;
  mode: string;
  /** The budget as canonical JSON. */
  budget: string;
  validPerplexity: number | null;
  testPerplexity: number | null;
  /** KenLM's "excluding OOVs": `<unk>` targets left out of the sum and the count. */
  testPerplexityWithoutUnk: number | null;
  validTokens: number | null;
  testTokens: number | null;
  validUnk: number | null;
  testUnk: number | null;
  vocabSize: number | null;
  trainTokens: number | null;
  parameters: number | null;
  modelBytes: number | null;
  /** maxRSS of the run's process after loading the corpus, before the model existed. */
  baselineRssBytes: number | null;
  /** maxRSS of the run's process at the end (training and scoring included). */
  peakRssBytes: number | null;
  trainSeconds: number | null;
  trainTokensPerSecond: number | null;
  scoringTokensPerSecond: number | null;
  epochs: number | null;
  bestEpoch: number | null;
  stoppedBy: string;
  gitCommit: string;
  nodeVersion: string;
  cpuModel: string;
  date: string;
}

/** A point of a learning curve, as a row of `learning-curves.csv`. */
export interface CurveRow {
  id: string;
  epoch: number;
  tokensSeen: number;
  seconds: number;
  trainLoss: number;
  validPerplexity: number;
  learningRate: number | null;
}

type Kind = 'string' | 'number' | 'nullable';
type Columns<R> = readonly (readonly [header: string, key: keyof R & string, kind: Kind])[];

export const RESULT_COLUMNS: Columns<ResultRow> = [
  ['experiment', 'experiment', 'string'],
  ['cell', 'cell', 'number'],
  ['id', 'id', 'string'],
  ['status', 'status', 'string'],
  ['error', 'error', 'string'],
  ['corpus', 'corpus', 'string'],
  ['corpus_id', 'corpusId', 'string'],
  ['model', 'model', 'string'],
  ['family', 'family', 'string'],
  ['label', 'label', 'string'],
  ['hyper_parameters', 'hyperParameters', 'string'],
  ['seed', 'seed', 'number'],
  ['mode', 'mode', 'string'],
  ['budget', 'budget', 'string'],
  ['valid_perplexity', 'validPerplexity', 'nullable'],
  ['test_perplexity', 'testPerplexity', 'nullable'],
  ['test_perplexity_without_unk', 'testPerplexityWithoutUnk', 'nullable'],
  ['valid_tokens', 'validTokens', 'nullable'],
  ['test_tokens', 'testTokens', 'nullable'],
  ['valid_unk', 'validUnk', 'nullable'],
  ['test_unk', 'testUnk', 'nullable'],
  ['vocab_size', 'vocabSize', 'nullable'],
  ['train_tokens', 'trainTokens', 'nullable'],
  ['parameters', 'parameters', 'nullable'],
  ['model_bytes', 'modelBytes', 'nullable'],
  ['baseline_rss_bytes', 'baselineRssBytes', 'nullable'],
  ['peak_rss_bytes', 'peakRssBytes', 'nullable'],
  ['train_seconds', 'trainSeconds', 'nullable'],
  ['train_tokens_per_second', 'trainTokensPerSecond', 'nullable'],
  ['scoring_tokens_per_second', 'scoringTokensPerSecond', 'nullable'],
  ['epochs', 'epochs', 'nullable'],
  ['best_epoch', 'bestEpoch', 'nullable'],
  ['stopped_by', 'stoppedBy', 'string'],
  ['git_commit', 'gitCommit', 'string'],
  ['node_version', 'nodeVersion', 'string'],
  ['cpu_model', 'cpuModel', 'string'],
  ['date', 'date', 'string'],
];

export const CURVE_COLUMNS: Columns<CurveRow> = [
  ['id', 'id', 'string'],
  ['epoch', 'epoch', 'number'],
  ['tokens_seen', 'tokensSeen', 'number'],
  ['seconds', 'seconds', 'number'],
  ['train_loss', 'trainLoss', 'number'],
  ['valid_perplexity', 'validPerplexity', 'number'],
  ['learning_rate', 'learningRate', 'nullable'],
];

/** Numbers as JavaScript prints them (shortest round-trip form), so writing what was read changes nothing. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

function toCsv<R>(columns: Columns<R>, rows: readonly R[]): string {
  return stringify(
    rows.map((r) => columns.map(([, key]) => cell(r[key]))),
    { header: true, columns: columns.map(([h]) => h), record_delimiter: '\n' },
  );
}

function fromCsv<R>(columns: Columns<R>, path: string): R[] {
  const text = readFileSync(path, 'utf8');
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: false, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new UserError(`${path}: not a valid CSV file (${(e as Error).message})`);
  }
  const expected = columns.map(([h]) => h);
  const header = records[0] ?? [];
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
    columns.forEach(([header, key, kind], j) => {
      const text = record[j];
      if (kind === 'string') {
        row[key] = text;
        return;
      }
      if (kind === 'nullable' && text === '') {
        row[key] = null;
        return;
      }
      // "NaN" is a value (a perplexity without `<unk>` on a split of `<unk>` only); anything else unreadable is an error.
      const value = Number(text);
      if (text === '' || (Number.isNaN(value) && text !== 'NaN')) {
        throw new UserError(`${path}: line ${i + 2}, column ${header}: "${text}" is not a number`);
      }
      row[key] = value;
    });
    return row as R;
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
  for (const [i, r] of rows.entries()) {
    if (r.status !== 'ok' && r.status !== 'failed') {
      throw new UserError(`${path}: line ${i + 2}, column status: "${r.status}" is neither ok nor failed`);
    }
  }
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
