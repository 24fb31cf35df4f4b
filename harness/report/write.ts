import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { writeFileAtomic } from '../experiment/atomic.ts';
import { sortRows } from '../experiment/results.ts';
import { benchHtml, readBench } from './bench.ts';
import { buildCharts, type Chart } from './charts.ts';
// issue 13 §2: which differences are real
import { COMPARISON_FILE, comparisonSection } from './comparison.ts';
import { loadReportData } from './data.ts';
import { reportHtml, VENDOR_SCRIPTS } from './html.ts';
import { renderSvg } from './render.ts';
import { seedSummaries } from './seed-summary.ts';
import { markdownSeedTable, markdownTable } from './table.ts';
import { mixtureSection } from './mixtures.ts';
import { modelBytesChart } from './model-bytes.ts';
import { trainingSizeChart } from './training-size.ts';

/** Lists the charts the last report wrote, so the next one removes those it no longer makes. */
const MANIFEST = 'charts.json';

const require = createRequire(import.meta.url);

/** A UMD build shipped in a package's `build/` folder. */
function vendorFile(name: (typeof VENDOR_SCRIPTS)[number]): string {
  const pkg = name.replace(/\.min\.js$/, '');
  const path = join(dirname(require.resolve(pkg)), name);
  if (!existsSync(path)) throw new UserError(`${path} is missing; run npm ci`);
  return path;
}

/** Write a file only when its bytes change, so a regenerated report leaves unchanged files untouched. */
function writeIfChanged(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return;
  writeFileAtomic(path, bytes);
}

export interface ReportSummary {
  readonly charts: readonly Chart[];
  readonly warnings: readonly string[];
}

/**
 * Read the results in DIR (and nothing else) and write the report there, flat: `NAME.vl.json` and `NAME.svg`
 * for each chart, `index.html` with the vega scripts it loads, and `results.md`. No timestamps: the same
 * results always give the same bytes.
 */
export async function writeReport(dir: string): Promise<ReportSummary> {
  const data = loadReportData(dir);
  // issue 13 §2: the comparison section's charts come after the others, its text after the results table.
  const comparison = comparisonSection(data);
  // issue 15 §1: Chen & Goodman's figures, when the folder has n-gram smoothings at several training sizes.
  const trainingSize = trainingSizeChart(data);
  // issue 15 §2: where each family wins at each model size, count- and entropy-pruning ladders as curves.
  const modelBytes = modelBytesChart(data);
  const charts = [...buildCharts(data), ...(trainingSize ? [trainingSize] : []), ...(modelBytes ? [modelBytes] : []), ...comparison.charts];
  const warnings: string[] = [...data.warnings, ...comparison.warnings];
  if (comparison.csv) writeIfChanged(join(dir, COMPARISON_FILE), comparison.csv);

  const manifestPath = join(dir, MANIFEST);
  const previous = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as string[]) : [];
  const names = new Set(charts.map((c) => c.name));
  for (const stale of previous.filter((n) => !names.has(n))) {
    rmSync(join(dir, `${stale}.vl.json`), { force: true });
    rmSync(join(dir, `${stale}.svg`), { force: true });
  }

  for (const chart of charts) {
    writeIfChanged(join(dir, `${chart.name}.vl.json`), `${JSON.stringify(chart.spec, null, 2)}\n`);
    const { svg, warnings: w } = await renderSvg(chart.spec);
    warnings.push(...w.map((m) => `${chart.name}: ${m}`));
    writeIfChanged(join(dir, `${chart.name}.svg`), svg);
  }
  for (const script of VENDOR_SCRIPTS) writeIfChanged(join(dir, script), readFileSync(vendorFile(script)));
  const bench = readBench(dir);
  // issue 13 §3: the mixtures' weights and gains.
  const mixtures = mixtureSection(data);
  writeIfChanged(
    join(dir, 'index.html'),
    reportHtml(charts, data, [
      ...(mixtures ? [mixtures] : []),
      ...(comparison.section ? [comparison.section] : []),
      ...(bench ? [{ id: 'micro-benchmarks', title: 'Micro-benchmarks', html: benchHtml(bench) }] : []),
    ]),
  );
  writeIfChanged(
    join(dir, 'results.md'),
    markdownTable(sortRows([...data.rows, ...data.superseded]), new Set(data.superseded)) + markdownSeedTable(seedSummaries(data.rows)),
  );
  writeIfChanged(manifestPath, `${JSON.stringify([...names], null, 2)}\n`);
  return { charts, warnings };
}
