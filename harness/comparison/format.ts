import { grouped } from '../report/table.ts';
import type { Comparison, CompareSide, PairResult } from './compare.ts';

/** A side as a table names it: its label, and its seeds when it has several. */
export function sideName(s: CompareSide): string {
  return s.seeds.length > 1 ? `${s.label} (seeds ${s.seeds.join(', ')})` : s.label;
}

const digitsOf = (p: PairResult): number => (p.statistic === 'perplexity' ? 2 : 4);
const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** A p-value to the bootstrap's resolution (2 / resamples): "< 0.002" when no resample crossed zero. */
export function formatP(p: PairResult): string {
  return p.pValue === 0 ? `< ${2 / p.resamples}` : p.pValue.toFixed(3);
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `compare`'s text: what was compared and how, one table row a pair, then the pairs left out. */
export function formatComparison(comparison: Comparison, byBucket: boolean): string {
  const { pairs } = comparison;
  const out: string[] = [];
  const first = pairs[0];
  if (first) {
    const what =
      first.statistic === 'perplexity'
        ? `${first.split} perplexity`
        : `${first.split} bits per character (the text's characters: runs on different vocabularies compared)`;
    const units = pairs.some((p) => p.unitSentences > 1) ? 'sentences (blocks of sentences in stream mode)' : 'sentences';
    out.push(`${what}: paired bootstrap over ${units}, ${first.resamples} resamples; 95% intervals; significant when p < 0.05`);
    out.push('');
    const short = first.statistic === 'perplexity' ? 'ppl' : 'bpc';
    out.push(
      ...table(
        ['A', 'B', `${short} A`, `${short} B`, 'A − B [95%]', 'A / B [95%]', 'p', 'significant', 'A better', 'A worse', 'equal'],
        pairs.map((p) => {
          const d = digitsOf(p);
          return [
            sideName(p.a),
            sideName(p.b),
            grouped(p.a.value, d),
            grouped(p.b.value, d),
            `${grouped(p.difference.estimate, d)} [${grouped(p.difference.low, d)}, ${grouped(p.difference.high, d)}]`,
            `${p.ratio.estimate.toFixed(4)} [${p.ratio.low.toFixed(4)}, ${p.ratio.high.toFixed(4)}]`,
            formatP(p),
            p.significant ? 'yes' : 'no',
            p.tally ? percent(p.tally.overall.betterShare) : '–',
            p.tally ? percent(p.tally.overall.worseShare) : '–',
            p.tally ? percent(p.tally.overall.equalShare) : '–',
          ];
        }),
      ),
    );
    if (byBucket) {
      out.push('', "tokens where A is better / worse, by the target word's training frequency:", '');
      const buckets = pairs.find((p) => p.tally)?.tally?.byBucket.map((b) => b.bucket) ?? [];
      out.push(
        ...table(
          ['A', 'B', ...buckets],
          pairs.map((p) => [
            sideName(p.a),
            sideName(p.b),
            ...buckets.map((_, i) => {
              const b = p.tally?.byBucket[i];
              return b?.tokens ? `${percent(b.betterShare)}/${percent(b.worseShare)}` : '–';
            }),
          ]),
        ),
      );
    }
  } else {
    out.push('no pairs to compare');
  }
  if (comparison.skipped.length) out.push('', `left out (${comparison.skipped.length} pairs):`, ...comparison.skipped.map((s) => `  ${s}`));
  return `${out.join('\n')}\n`;
}
