import { stringify } from 'csv-stringify/sync';
import { type Comparison, compareRuns, type PairResult, SIGNIFICANCE_LEVEL } from '../comparison/compare.ts';
import { formatP, sideName } from '../comparison/format.ts';
import { seedGroups } from '../comparison/select.ts';
import { UserError } from '../../errors/user-error.ts';
import type { Chart } from './charts.ts';
import type { ReportData } from './data.ts';
import { escapeHtml, type ExtraSection } from './html.ts';
import { CHART_CONFIG, round, SCHEMA, type JsonObject } from './style.ts';

/**
 * Resamples of the report's paired comparisons: every pair of the committed default report's 18 runs (153 pairs)
 * takes about 1 s a 100 resamples on its 1,000-sentence test split, so the report uses 1,000 (p-values to 0.002)
 * rather than the 2,000 of `compare`; `compare --resamples` gives more.
 */
export const REPORT_COMPARISON_RESAMPLES = 1000;
/**
 * The most work the section does for one corpus, in pairs × test tokens: every pair of configurations resamples
 * every test token, so this is what its time grows with. The default report's 496 pairs of 20,000 test tokens
 * took 20 s here (about 2 ns a token a resample), so 2·10^8 is about seven minutes at 1,000 resamples. Each
 * training size of `chen-goodman` (630 pairs of 171,297 tokens, five sizes) is beyond it. Beyond it the corpus is
 * left out, with a sentence saying so (`compare` compares chosen runs).
 */
export const MAX_COMPARED_PAIR_TOKENS = 2e8;
export const COMPARISON_FILE = 'comparison.csv';

export interface ComparisonSection {
  readonly charts: readonly Chart[];
  readonly section?: ExtraSection;
  /** comparison.csv: every pair; absent when there is nothing to compare. */
  readonly csv?: string;
  readonly warnings: readonly string[];
}

/** The pairs of each corpus × protocol, in the order they first appear. */
function blocks(pairs: readonly PairResult[]): PairResult[][] {
  const by = new Map<string, PairResult[]>();
  for (const p of pairs) {
    const key = `${p.a.corpus} · ${p.a.mode}`;
    by.set(key, [...(by.get(key) ?? []), p]);
  }
  return [...by.values()];
}

/** Each configuration's difference to the best one of its block, from the side of the configuration. */
function toBest(
  pairs: readonly PairResult[],
): { name: string; family: string; difference: number; ratio: number; low: number; high: number; p: number; significant: boolean }[] {
  const names = [...new Set(pairs.flatMap((p) => [sideName(p.a), sideName(p.b)]))];
  const family = new Map(pairs.flatMap((p) => [[sideName(p.a), p.a.family] as const, [sideName(p.b), p.b.family] as const]));
  const value = new Map(pairs.flatMap((p) => [[sideName(p.a), p.a.value] as const, [sideName(p.b), p.b.value] as const]));
  const finite = names.filter((n) => Number.isFinite(value.get(n)));
  const best = finite.reduce((b, n) => (value.get(n)! < value.get(b)! ? n : b), finite[0]!);
  return finite.map((name) => {
    if (name === best) return { name, family: family.get(name)!, difference: 0, ratio: 1, low: 1, high: 1, p: 1, significant: false };
    const p = pairs.find((x) => (sideName(x.a) === name && sideName(x.b) === best) || (sideName(x.b) === name && sideName(x.a) === best))!;
    const flip = sideName(p.a) === best;
    const d = p.difference;
    const r = p.ratio;
    // The ratio of this configuration to the best, and its interval: 1 / (best / this) when the best is side A.
    return {
      name,
      family: family.get(name)!,
      difference: round(flip ? -d.estimate : d.estimate),
      ratio: flip ? 1 / r.estimate : r.estimate,
      low: flip ? 1 / r.high : r.low,
      high: flip ? 1 / r.low : r.high,
      p: p.pValue,
      significant: p.significant,
    };
  });
}

function forestChart(pairs: readonly PairResult[], name: string, where: string): Chart {
  const rows = toBest(pairs).sort((x, y) => x.ratio - y.ratio);
  const unit = pairs[0]!.statistic === 'perplexity' ? 'perplexity' : 'bits per character';
  const y = { field: 'name', type: 'nominal', title: null, sort: rows.map((r) => r.name) };
  // The ratio on a log axis: a 1% gap reads the same at perplexity 100 as at 1,000, and one far-off configuration
  // does not squeeze the others against the best.
  const x = {
    field: 'ratio',
    type: 'quantitative',
    title: `${pairs[0]!.split} ${unit} ÷ the best's (95% paired interval, log scale)`,
    // The domain the intervals span (Vega's nice log domain would run to whole powers of ten: 0.1 to 100).
    scale: { type: 'log', nice: false, domain: [Math.min(...rows.map((r) => r.low)) / 1.01, Math.max(...rows.map((r) => r.high)) * 1.01] },
    axis: { format: '.3~g', labelOverlap: 'greedy' },
  };
  const colour = {
    field: 'significant',
    type: 'nominal',
    title: `p < ${SIGNIFICANCE_LEVEL}`,
    scale: { domain: [true, false], range: ['#c44e52', '#8c8c8c'] },
  };
  return {
    name,
    title: `Which differences are real: ratio to the best${where}`,
    caption:
      'Each configuration’s perplexity as a multiple of the best one’s (at 1), with the 95% interval of Koehn’s paired bootstrap over the same resampled sentences; an interval that reaches 1 is not a real difference.',
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      width: 480,
      data: { values: rows },
      encoding: { y },
      layer: [
        { mark: { type: 'rule' }, encoding: { x: { ...x, field: 'low' }, x2: { field: 'high' }, color: colour } },
        {
          mark: { type: 'point', filled: true, size: 60 },
          encoding: {
            x,
            color: colour,
            tooltip: [
              { field: 'name', title: 'configuration' },
              { field: 'family' },
              { field: 'ratio', format: '.4~f' },
              { field: 'low', title: 'ratio low', format: '.4~f' },
              { field: 'high', title: 'ratio high', format: '.4~f' },
              { field: 'difference', format: '.3~f' },
              { field: 'p', format: '.3~f' },
            ],
          },
        },
      ],
    } as JsonObject,
  };
}

function matrixChart(pairs: readonly PairResult[], name: string, where: string): Chart {
  const cells = pairs.flatMap((p) => {
    const outcome = (row: 'a' | 'b'): string => {
      if (!p.significant) return 'not significant';
      const rowBetter = row === 'a' ? p.difference.estimate < 0 : p.difference.estimate > 0;
      return rowBetter ? 'row better' : 'row worse';
    };
    const cell = (row: 'a' | 'b', col: 'a' | 'b') => ({
      row: sideName(p[row]),
      column: sideName(p[col]),
      rowFamily: p[row].family,
      columnFamily: p[col].family,
      outcome: outcome(row),
      p: formatP(p),
    });
    return [cell('a', 'b'), cell('b', 'a')];
  });
  const order = [...new Set(pairs.flatMap((p) => [sideName(p.a), sideName(p.b)]))];
  return {
    name,
    title: `Which differences are real: every pair${where}`,
    caption: `Each cell: is the row’s configuration significantly better (p < ${SIGNIFICANCE_LEVEL}, paired bootstrap) than the column’s, worse, or not distinguishable; the p-value is in the tooltip.`,
    spec: {
      $schema: SCHEMA,
      config: CHART_CONFIG,
      data: { values: cells },
      mark: { type: 'rect', stroke: 'white' },
      encoding: {
        x: { field: 'column', type: 'nominal', sort: order, title: null, axis: { labelAngle: -45 } },
        y: { field: 'row', type: 'nominal', sort: order, title: null },
        color: {
          field: 'outcome',
          type: 'nominal',
          title: null,
          scale: { domain: ['row better', 'row worse', 'not significant'], range: ['#55a868', '#c44e52', '#d9d9d9'] },
        },
        tooltip: [
          { field: 'row' },
          { field: 'rowFamily', title: 'row family' },
          { field: 'column' },
          { field: 'columnFamily', title: 'column family' },
          { field: 'outcome' },
          { field: 'p', title: 'p-value' },
        ],
      },
    } as JsonObject,
  };
}

/** Every pair as a row of comparison.csv (numbers as JavaScript prints them). */
export function comparisonCsv(comparison: Comparison): string {
  const header = [
    'corpus',
    'mode',
    'split',
    'statistic',
    'a',
    'a_ids',
    'b',
    'b_ids',
    'a_value',
    'b_value',
    'difference',
    'difference_low',
    'difference_high',
    'ratio',
    'ratio_low',
    'ratio_high',
    'p_value',
    'significant',
    'resamples',
    'unit_sentences',
    'a_better_share',
    'a_worse_share',
    'equal_share',
  ];
  const rows = comparison.pairs.map((p) =>
    [
      p.a.corpus,
      p.a.mode,
      p.split,
      p.statistic,
      p.a.label,
      p.a.ids.join(' '),
      p.b.label,
      p.b.ids.join(' '),
      p.a.value,
      p.b.value,
      p.difference.estimate,
      p.difference.low,
      p.difference.high,
      p.ratio.estimate,
      p.ratio.low,
      p.ratio.high,
      p.pValue,
      p.significant,
      p.resamples,
      p.unitSentences,
      p.tally?.overall.betterShare ?? '',
      p.tally?.overall.worseShare ?? '',
      p.tally?.overall.equalShare ?? '',
    ].map(String),
  );
  return stringify([header, ...rows], { record_delimiter: '\n' });
}

/** The sentence naming the pairs of a block whose difference is not significant. */
function notSignificant(pairs: readonly PairResult[]): string {
  const same = pairs.filter((p) => !p.significant);
  if (!same.length) return `Every pair differs significantly (p < ${SIGNIFICANCE_LEVEL}).`;
  return `Not significant (p ≥ ${SIGNIFICANCE_LEVEL}): ${same.map((p) => `${sideName(p.a)} vs ${sideName(p.b)} (p = ${formatP(p)})`).join('; ')}.`;
}

/** The report's "Which differences are real" section: per corpus × protocol a forest plot and a significance matrix. */
export function comparisonSection(data: ReportData, options: { maxPairTokens?: number } = {}): ComparisonSection {
  const maxPairTokens = options.maxPairTokens ?? MAX_COMPARED_PAIR_TOKENS;
  const pairs: PairResult[] = [];
  const tooMany: string[] = [];
  try {
    // The runs the per-token charts have (the others are named in the report's warnings already), compared within
    // each corpus: runs of two corpora that share their test tokens (training sizes of one corpus) are the
    // training-size chart's question, not every pair's.
    const rows = data.ok.filter((r) => data.tokens.has(r.id));
    for (const corpus of [...new Set(rows.map((r) => r.corpus))]) {
      const ofCorpus = rows.filter((r) => r.corpus === corpus);
      const configurations = seedGroups(ofCorpus).length;
      const pairCount = (configurations * (configurations - 1)) / 2;
      // The predicted test tokens, from the per-token files every compared run has (results rows may predate test_tokens).
      const testTokens = Math.max(...ofCorpus.map((r) => data.tokens.get(r.id)!.byFrequency.reduce((n, b) => n + b.tokens, 0)));
      if (pairCount * testTokens > maxPairTokens) {
        tooMany.push(`${corpus} (${configurations} configurations, ${pairCount.toLocaleString('en')} pairs of ${testTokens.toLocaleString('en')} test tokens)`);
        continue;
      }
      pairs.push(...compareRuns(data.dir, [], { split: 'test', resamples: REPORT_COMPARISON_RESAMPLES, bitsPerCharacter: false }, ofCorpus).pairs);
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { charts: [], warnings: [`no comparison section: ${e.message}`] };
  }
  const comparison: Comparison = { pairs, skipped: [] };
  const groups = blocks(comparison.pairs);
  const left =
    `Not compared pair by pair, with more pairs × test tokens than the ${maxPairTokens.toExponential(0).replace('+', '')} the report compares a corpus: ${escapeHtml(tooMany.join('; '))}; ` +
    '<code>compare NAME NAME …</code> compares chosen ones.';
  if (!groups.length) {
    return tooMany.length
      ? { charts: [], section: { id: 'comparison', title: 'Which differences are real', html: `<p class="caption">${left}</p>` }, warnings: [] }
      : { charts: [], warnings: [] };
  }
  const charts: Chart[] = [];
  const sentences: string[] = [];
  groups.forEach((pairs, i) => {
    const suffix = groups.length > 1 ? `-${i + 1}` : '';
    const where = groups.length > 1 ? ` (${pairs[0]!.a.corpus}, ${pairs[0]!.a.mode})` : '';
    charts.push(forestChart(pairs, `differences-to-best${suffix}`, where), matrixChart(pairs, `significance-matrix${suffix}`, where));
    sentences.push(`<p class="caption">${escapeHtml(`${where ? `${where.slice(2, -1)}: ` : ''}${notSignificant(pairs)}`)}</p>`);
  });
  const method =
    `Koehn’s paired bootstrap of the test perplexity (${REPORT_COMPARISON_RESAMPLES} resamples of the sentences, blocks of sentences in stream mode; the seeds of one configuration as one group), ` +
    `every pair of configurations of each corpus and protocol; all of them, with intervals, ratios and compare-ppls’ tallies, are in <a href="${COMPARISON_FILE}">${COMPARISON_FILE}</a>; <code>compare</code> prints them.`;
  return {
    charts,
    section: {
      id: 'comparison',
      title: 'Which differences are real',
      html: [`<p class="caption">${method}</p>`, ...sentences, ...(tooMany.length ? [`<p class="caption">${left}</p>`] : [])].join('\n'),
    },
    csv: comparisonCsv(comparison),
    warnings: [],
  };
}
