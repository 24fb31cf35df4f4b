import { DIVERGED, isDivergence } from '../../numerics/divergence.ts';
import type { ResultRow } from '../experiment/results.ts';
import type { SeedSummary, Spread } from './seed-summary.ts';
import { MIB } from './style.ts';

/** Thousands separated by commas, whatever the locale of the machine: the same results give the same text. */
export function grouped(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return x > 0 ? '∞' : x < 0 ? '−∞' : '–';
  const [int, frac] = Math.abs(x).toFixed(digits).split('.');
  const withCommas = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${x < 0 ? '−' : ''}${withCommas}${frac ? `.${frac}` : ''}`;
}

const maybe = (x: number | null, digits: number, scale = 1): string => (x === null ? '' : grouped(x / scale, digits));

/** A perplexity with its 95% bootstrap interval when the row has one (`218.39 [209.88, 227.29]`). */
export function withInterval(x: number | null, low: number | null, high: number | null): string {
  if (x === null) return '';
  return low === null || high === null ? grouped(x, 2) : `${grouped(x, 2)} [${grouped(low, 2)}, ${grouped(high, 2)}]`;
}

/** How a run ended: its stopping reason, "diverged at …" for a diverged run, "failed: …" for any other failure. */
export function runStatus(r: ResultRow): string {
  if (r.status === 'ok') return r.stoppedBy || 'ok';
  return isDivergence(r.error) ? `diverged${r.error.slice(DIVERGED.length)}` : `failed: ${r.error}`;
}

export interface Column<T = ResultRow> {
  readonly title: string;
  /** Right-aligned (numbers). */
  readonly numeric: boolean;
  /** Text that may wrap on the report page (names, error messages). */
  readonly wrap?: boolean;
  readonly value: (r: T) => string;
}

/** The columns of the results table, in the report page and in `results.md`. */
export const TABLE_COLUMNS: readonly Column[] = [
  { title: 'Corpus', numeric: false, value: (r) => r.corpus },
  { title: 'Family', numeric: false, value: (r) => r.familyLabel },
  { title: 'Model', numeric: false, wrap: true, value: (r) => r.label },
  { title: 'Protocol', numeric: false, value: (r) => r.mode },
  { title: 'Seed', numeric: true, value: (r) => String(r.seed) },
  { title: 'Valid ppl [95% CI]', numeric: true, value: (r) => withInterval(r.validPerplexity, r.validPerplexityLow, r.validPerplexityHigh) },
  { title: 'Test ppl [95% CI]', numeric: true, value: (r) => withInterval(r.testPerplexity, r.testPerplexityLow, r.testPerplexityHigh) },
  { title: 'Test ppl w/o <unk>', numeric: true, value: (r) => maybe(r.testPerplexityWithoutUnk, 2) },
  { title: 'Test bits/char', numeric: true, value: (r) => maybe(r.testBitsPerCharacter, 3) },
  { title: 'Test tokens', numeric: true, value: (r) => maybe(r.testTokens, 0) },
  { title: '<unk>', numeric: true, value: (r) => maybe(r.testUnk, 0) },
  { title: 'Parameters', numeric: true, value: (r) => maybe(r.parameters, 0) },
  { title: 'Model MiB', numeric: true, value: (r) => maybe(r.modelBytes, 2, MIB) },
  { title: 'Bytes/n-gram', numeric: true, value: (r) => (r.storedNgrams ? maybe(r.modelBytes === null ? null : r.modelBytes / r.storedNgrams, 2) : '') },
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

function markdownRows<T>(columns: readonly Column<T>[], rows: readonly T[], value = (c: Column<T>, r: T): string => c.value(r)): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ').replace(/</g, '&lt;');
  const head = `| ${columns.map((c) => cell(c.title)).join(' | ')} |`;
  const rule = `|${columns.map((c) => (c.numeric ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = rows.map((r) => `| ${columns.map((c) => cell(value(c, r))).join(' | ')} |`);
  return `${[head, rule, ...body].join('\n')}\n`;
}

/** The results as a Markdown table (for READMEs and pull requests); superseded runs say so in their status. */
export function markdownTable(rows: readonly ResultRow[], superseded: ReadonlySet<ResultRow> = new Set()): string {
  return markdownRows(TABLE_COLUMNS, rows, (c, r) => (c.title === 'Status' && superseded.has(r) ? `superseded: ${c.value(r)}` : c.value(r)));
}

/** `mean ± sd [min–max]` of a measure over seeds. */
export function spreadText(s: Spread | null, digits: number): string {
  return s === null ? '' : `${grouped(s.mean, digits)} ± ${grouped(s.sd, digits)} [${grouped(s.min, digits)}–${grouped(s.max, digits)}]`;
}

/** The columns of the over-seeds table: a row per configuration with several seeds, each seed's own interval beside. */
export const SEED_COLUMNS: readonly Column<SeedSummary>[] = [
  { title: 'Corpus', numeric: false, value: (s) => s.runs[0]!.corpus },
  { title: 'Family', numeric: false, value: (s) => s.runs[0]!.familyLabel },
  { title: 'Model', numeric: false, wrap: true, value: (s) => s.runs[0]!.label },
  { title: 'Protocol', numeric: false, value: (s) => s.runs[0]!.mode },
  { title: 'Seeds', numeric: true, value: (s) => String(s.runs.length) },
  { title: 'Valid ppl mean ± sd [min–max]', numeric: true, value: (s) => spreadText(s.validPerplexity, 2) },
  { title: 'Test ppl mean ± sd [min–max]', numeric: true, value: (s) => spreadText(s.testPerplexity, 2) },
  {
    title: 'Test bits/char mean ± sd',
    numeric: true,
    value: (s) => (s.testBitsPerCharacter ? `${grouped(s.testBitsPerCharacter.mean, 3)} ± ${grouped(s.testBitsPerCharacter.sd, 3)}` : ''),
  },
  {
    title: "Each seed's test ppl [95% CI]",
    numeric: false,
    wrap: true,
    value: (s) => s.runs.map((r) => `${r.seed}: ${withInterval(r.testPerplexity, r.testPerplexityLow, r.testPerplexityHigh)}`).join('; '),
  },
];

/** The over-seeds section of results.md (empty when no configuration has several seeds). */
export function markdownSeedTable(summaries: readonly SeedSummary[]): string {
  if (!summaries.length) return '';
  return `\n## Over seeds\n\nEach configuration run with several seeds: the mean, sample standard deviation and min–max of its perplexities over the seeds, beside each seed's own 95% bootstrap interval.\n\n${markdownRows(SEED_COLUMNS, summaries)}`;
}
