import type { ResultRow } from '../experiment/results.ts';
import { MIXTURE_FAMILY } from '../mixture/family.ts';
import type { ReportData } from './data.ts';
import { escapeHtml, type ExtraSection } from './html.ts';
import { grouped } from './table.ts';

/** What a mixture row records of its components (hyper_parameters). */
interface Recorded {
  readonly components: readonly { readonly id: string; readonly label: string; readonly weight: number }[];
}

const withInterval = (ppl: number | null, low: number | null, high: number | null): string =>
  ppl === null ? '' : `${grouped(ppl, 2)}${low !== null && high !== null ? ` [${grouped(low, 2)}, ${grouped(high, 2)}]` : ''}`;

/**
 * The report's section on mixtures (issue 13 §3): each mixture's weights, its test perplexity with its interval, and
 * its gain over its best component (the lowest test perplexity among them). None when the results have no mixture.
 */
export function mixtureSection(data: ReportData): ExtraSection | undefined {
  const mixtures = data.ok.filter((r) => r.family === MIXTURE_FAMILY);
  if (mixtures.length === 0) return undefined;
  const byId = new Map<string, ResultRow>([...data.rows, ...data.superseded].map((r) => [r.id, r]));
  const body = mixtures.map((m) => {
    const { components } = JSON.parse(m.hyperParameters) as Recorded;
    const runs = components.map((c) => byId.get(c.id));
    const tests = runs.map((r) => r?.testPerplexity ?? Infinity);
    const best = tests.indexOf(Math.min(...tests));
    const bestTest = tests[best]!;
    const gain = m.testPerplexity !== null && Number.isFinite(bestTest) ? `${grouped(100 * (1 - m.testPerplexity / bestTest), 1)}%` : '';
    const weights = components.map((c) => `${escapeHtml(c.label)}: ${c.weight.toFixed(3)}`).join('<br>');
    const cells = [
      escapeHtml(m.corpus),
      escapeHtml(m.mode),
      String(m.seed),
      weights,
      withInterval(m.testPerplexity, m.testPerplexityLow, m.testPerplexityHigh),
      `${escapeHtml(components[best]?.label ?? '')} ${grouped(bestTest, 2)}`,
      gain,
    ];
    return `<tr>${cells.map((c, i) => `<td${i >= 4 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
  });
  const head = ['Corpus', 'Protocol', 'Seed', 'Weights (EM on valid)', 'Test ppl [95%]', 'Best component (test ppl)', 'Gain'];
  return {
    id: 'mixtures',
    title: 'Mixtures',
    html:
      '<p>Each mixture interpolates runs that predicted the same tokens with the weights that maximise the likelihood of the valid split ' +
      "(EM, as SRILM's compute-best-mix), evaluated on test. The gain is the drop in test perplexity against the best of its components.</p>\n" +
      `<div class="table-wrap"><table id="mixtures-table">\n<thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table></div>`,
  };
}
