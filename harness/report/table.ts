import { DIVERGED, isDivergence } from '../../numerics/divergence.ts';
import type { ResultRow } from '../experiment/results.ts';
import { MIB } from './style.ts';

/** Thousands separated by commas, whatever the locale of the machine: the same results give the same text. */
export function grouped(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : '–';
  const [int, frac] = Math.abs(x).toFixed(digits).split('.');
  const withCommas = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${x < 0 ? '−' : ''}${withCommas}${frac ? `.${frac}` : ''}`;
}

const maybe = (x: number | null, digits: number, scale = 1): string => (x === null ? '' : grouped(x / scale, digits));

/** How a run ended: its stopping reason, "diverged at …" for a diverged run, "failed: …" for any other failure. */
export function runStatus(r: ResultRow): string {
  if (r.status === 'ok') return r.stoppedBy || 'ok';
  return isDivergence(r.error) ? `diverged${r.error.slice(DIVERGED.length)}` : `failed: ${r.error}`;
}

export interface Column {
  readonly title: string;
  /** Right-aligned (numbers). */
  readonly numeric: boolean;
  /** Text that may wrap on the report page (names, error messages). */
  readonly wrap?: boolean;
  readonly value: (r: ResultRow) => string;
}

/** The columns of the results table, in the report page and in `results.md`. */
export const TABLE_COLUMNS: readonly Column[] = [
  { title: 'Corpus', numeric: false, value: (r) => r.corpus },
  { title: 'Family', numeric: false, value: (r) => r.familyLabel },
  { title: 'Model', numeric: false, wrap: true, value: (r) => r.label },
  { title: 'Protocol', numeric: false, value: (r) => r.mode },
  { title: 'Seed', numeric: true, value: (r) => String(r.seed) },
  { title: 'Valid ppl', numeric: true, value: (r) => maybe(r.validPerplexity, 2) },
  { title: 'Test ppl', numeric: true, value: (r) => maybe(r.testPerplexity, 2) },
  { title: 'Test ppl w/o <unk>', numeric: true, value: (r) => maybe(r.testPerplexityWithoutUnk, 2) },
  { title: 'Test tokens', numeric: true, value: (r) => maybe(r.testTokens, 0) },
  { title: '<unk>', numeric: true, value: (r) => maybe(r.testUnk, 0) },
  { title: 'Parameters', numeric: true, value: (r) => maybe(r.parameters, 0) },
  { title: 'Model MiB', numeric: true, value: (r) => maybe(r.modelBytes, 2, MIB) },
  { title: 'Peak RSS MiB', numeric: true, value: (r) => maybe(r.peakRssBytes, 0, MIB) },
  { title: 'Train s', numeric: true, value: (r) => maybe(r.trainSeconds, 2) },
  { title: 'Train tok/s', numeric: true, value: (r) => maybe(r.trainTokensPerSecond, 0) },
  { title: 'Score tok/s', numeric: true, value: (r) => maybe(r.scoringTokensPerSecond, 0) },
  { title: 'Epochs', numeric: true, value: (r) => (r.epochs ? String(r.epochs) : '') },
  { title: 'Status', numeric: false, wrap: true, value: runStatus },
];

/**
 * The columns of the report page's table: what a reader compares between runs. Token and `<unk>` counts are
 * the same for every run of a corpus (the page states them once, with the corpus), memory and speeds are
 * charts; results.md and results.csv keep every column.
 */
const PAGE_COLUMNS: ReadonlySet<string> = new Set([
  'Corpus',
  'Family',
  'Model',
  'Protocol',
  'Seed',
  'Valid ppl',
  'Test ppl',
  'Test ppl w/o <unk>',
  'Parameters',
  'Model MiB',
  'Train s',
  'Epochs',
  'Status',
]);
/** Of those, the ones the page says once, above the table, when every run has the same value. */
const SAID_ONCE: ReadonlySet<string> = new Set(['Corpus', 'Protocol', 'Seed']);

export interface PageTable {
  readonly columns: readonly Column[];
  /** What every run shares, said once (`corpus brown-100k`, `seed 1`). */
  readonly shared: readonly string[];
}

/** The report page's columns for these runs: narrow enough for the page, without values every row repeats. */
export function pageTable(rows: readonly ResultRow[]): PageTable {
  const columns = TABLE_COLUMNS.filter((c) => PAGE_COLUMNS.has(c.title));
  const once = columns.filter((c) => SAID_ONCE.has(c.title) && rows.length > 0 && new Set(rows.map(c.value)).size === 1);
  return { columns: columns.filter((c) => !once.includes(c)), shared: once.map((c) => `${c.title.toLowerCase()} ${c.value(rows[0]!)}`) };
}

/** The results as a Markdown table (for READMEs and pull requests); superseded runs say so in their status. */
export function markdownTable(rows: readonly ResultRow[], superseded: ReadonlySet<ResultRow> = new Set()): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
  const head = `| ${TABLE_COLUMNS.map((c) => cell(c.title)).join(' | ')} |`;
  const rule = `|${TABLE_COLUMNS.map((c) => (c.numeric ? ' ---: ' : ' --- ')).join('|')}|`;
  const value = (c: Column, r: ResultRow): string => (c.title === 'Status' && superseded.has(r) ? `superseded: ${c.value(r)}` : c.value(r));
  const body = rows.map((r) => `| ${TABLE_COLUMNS.map((c) => cell(value(c, r))).join(' | ')} |`);
  return `${[head, rule, ...body].join('\n')}\n`;
}
