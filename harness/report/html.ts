import type { ResultRow } from '../experiment/results.ts';
import type { Chart } from './charts.ts';
import { corpusDescriptions } from './corpora.ts';
import type { ReportData } from './data.ts';
import { seedSummaries } from './seed-summary.ts';
import { pageTable, runStatus, SEED_COLUMNS, type Column } from './table.ts';

/** The script files `index.html` loads, copied beside it so the page works offline (file://, no CDN). */
export const VENDOR_SCRIPTS = ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js'] as const;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font-family: "DejaVu Sans", Verdana, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .2rem; }
h3 small { color: #777; font-weight: normal; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
p.meta, p.caption, p.files { color: #555; font-size: .9rem; margin: .2rem 0 .6rem; }
nav ul { columns: 2; font-size: .9rem; }
.chart { overflow-x: auto; }
table { border-collapse: collapse; font-size: .8rem; margin-top: .5rem; }
th, td { border-bottom: 1px solid #e4e4e4; padding: .25rem .5rem; text-align: left; white-space: nowrap; vertical-align: top; }
td.wrap { white-space: normal; min-width: 9rem; max-width: 18rem; overflow-wrap: anywhere; }
th { white-space: normal; }
th { background: #f6f6f6; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { color: #b00; }
ul.failures { color: #b00; font-size: .9rem; margin: .2rem 0 .6rem; }
.table-wrap { overflow-x: auto; }
details summary { cursor: pointer; color: #555; font-size: .9rem; margin-top: 1rem; }
details tr td { color: #777; }
`;

function unique(rows: readonly ResultRow[], pick: (r: ResultRow) => string): string {
  return [...new Set(rows.map(pick))].sort().join(', ') || '–';
}

/** The runs the charts leave out because they failed, each with why (a diverged run says so). */
function failures(rows: readonly ResultRow[]): string {
  const failed = rows.filter((r) => r.status === 'failed');
  if (!failed.length) return '';
  const items = failed.map((r) => `<li>${escapeHtml(`${r.label} (${r.corpus}, seed ${r.seed}): ${runStatus(r)}`)}</li>`).join('');
  return `<p class="meta">Not in the charts:</p>\n<ul class="failures">${items}</ul>\n`;
}

function htmlTable<T>(rows: readonly T[], columns: readonly Column<T>[], id: string, rowClass: (r: T) => string = () => ''): string {
  const cls = (c: Column<T>): string => (c.numeric ? ' class="num"' : c.wrap ? ' class="wrap"' : '');
  const head = columns.map((c) => `<th${c.numeric ? ' class="num"' : ''}>${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map((r) => {
      const cells = columns.map((c) => `<td${cls(c)}>${escapeHtml(c.value(r))}</td>`).join('');
      const rc = rowClass(r);
      return `<tr${rc ? ` class="${rc}"` : ''}>${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table id="${id}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

function resultsTable(rows: readonly ResultRow[], columns: readonly Column[], id: string): string {
  return htmlTable(rows, columns, id, (r) => (r.status === 'failed' ? 'failed' : ''));
}

/** The configurations run with several seeds, a row each, above the table of their runs. */
function seedSection(data: ReportData): string {
  const summaries = seedSummaries(data.rows);
  if (!summaries.length) return '';
  return `<p class="caption">Over seeds: each configuration run with several seeds, with the mean, sample standard deviation and min–max of its perplexities over the seeds, beside each seed's own 95% bootstrap interval.</p>\n${htmlTable(summaries, SEED_COLUMNS, 'over-seeds')}\n`;
}

/** The latest run of each configuration, then (folded) the earlier runs they supersede. */
function resultsSection(data: ReportData): string {
  const { columns, shared } = pageTable([...data.rows, ...data.superseded]);
  const files =
    'the full table, with token counts, memory and speeds, is in <a href="results.md">results.md</a> and <a href="results.csv">results.csv</a> ' +
    '(learning curves in <a href="learning-curves.csv">learning-curves.csv</a>)';
  const caption = `One row per run${shared.length ? `; every run has ${escapeHtml(shared.join(', '))}` : ''}; ${files}.`;
  const superseded = data.superseded.length
    ? `\n<details id="superseded">\n<summary>${data.superseded.length} earlier run${data.superseded.length > 1 ? 's' : ''} superseded by a later run of the same configuration (another corpus text or options, hyper-parameters or budget): kept in results.csv, not on the charts</summary>\n${resultsTable(data.superseded, columns, 'superseded-results')}\n</details>`
    : '';
  return `${seedSection(data)}<p class="caption">${caption}</p>\n${resultsTable(data.rows, columns, 'results')}${superseded}`;
}

/**
 * The report page: every chart drawn by vega-embed from its inlined spec (a file:// page cannot fetch the
 * `.vl.json` files beside it), and the results table. `document.body.dataset.rendered` turns to `true` once
 * every chart is drawn, or `error` — what the browser test waits for.
 */
/** A section after the results table (the micro-benchmarks), with its own entry in the contents. */
export interface ExtraSection {
  readonly id: string;
  readonly title: string;
  /** The section's inner HTML (after its heading). */
  readonly html: string;
}

export function reportHtml(charts: readonly Chart[], data: ReportData, extra: readonly ExtraSection[] = []): string {
  const { rows } = data;
  const failed = rows.filter((r) => r.status === 'failed').length;
  const corpora = corpusDescriptions(data);
  const sections = charts
    .map(
      (c) => `<section id="chart-${c.name}">
<h2>${escapeHtml(c.title)}</h2>
<p class="caption">${escapeHtml(c.caption)}</p>
<div class="chart" id="view-${c.name}"></div>
<p class="files"><a href="${c.name}.svg">SVG</a> · <a href="${c.name}.vl.json">Vega-Lite spec</a></p>
</section>`,
    )
    .join('\n');
  const nav = charts.map((c) => `<li><a href="#chart-${c.name}">${escapeHtml(c.title)}</a></li>`).join('');
  const specs = Object.fromEntries(charts.map((c) => [c.name, c.spec]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>perplexity-bench report</title>
<style>${STYLE}</style>
${VENDOR_SCRIPTS.map((s) => `<script src="${s}"></script>`).join('\n')}
</head>
<body>
<h1>perplexity-bench report</h1>
<p class="meta">Experiments: ${escapeHtml(unique(rows, (r) => r.experiment))} · ${rows.length} runs${failed ? ` (${failed} failed)` : ''}${data.superseded.length ? ` and ${data.superseded.length} superseded` : ''} · corpora: ${escapeHtml(unique(rows, (r) => r.corpus))}</p>
${corpora.map((c) => `<p class="meta corpus">${escapeHtml(c)}</p>`).join('\n')}
<p class="meta">Commit ${escapeHtml(unique(rows, (r) => r.gitCommit))} · Node ${escapeHtml(unique(rows, (r) => r.nodeVersion))} · CPU ${escapeHtml(unique(rows, (r) => r.cpuModel))} · kernels ${escapeHtml(unique(rows, (r) => r.kernels || 'not recorded'))}</p>
${failures(rows)}<nav><ul>${nav}<li><a href="#results-table">Results table</a></li>${extra.map((e) => `<li><a href="#${e.id}">${escapeHtml(e.title)}</a></li>`).join('')}</ul></nav>
${sections}
<section id="results-table">
<h2>Results</h2>
${resultsSection(data)}
</section>
${extra.map((e) => `<section id="${e.id}">\n<h2>${escapeHtml(e.title)}</h2>\n${e.html}\n</section>`).join('\n')}
<script id="specs" type="application/json">${scriptJson(specs)}</script>
<script>
(function () {
  function failed(e) { document.body.dataset.rendered = 'error'; console.error(e); }
  try {
    var specs = JSON.parse(document.getElementById('specs').textContent);
    var options = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
    Promise.all(Object.keys(specs).map(function (name) { return vegaEmbed('#view-' + name, specs[name], options); }))
      .then(function () { document.body.dataset.rendered = 'true'; }, failed);
  } catch (e) {
    failed(e);
  }
})();
</script>
</body>
</html>
`;
}
