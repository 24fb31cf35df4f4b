import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors/user-error.ts';
import { describeConfigIssues } from '../experiment/config.ts';
import { escapeHtml } from './html.ts';
import { grouped } from './table.ts';

/** Where `npm run bench:micro -- --json reports/bench.json` leaves its figures for the report to show. */
export const BENCH_FILE = 'bench.json';

const cell = z.union([z.string(), z.number()]);
const table = z.object({
  title: z.string(),
  rows: z.array(z.record(z.string(), cell)),
  notes: z.array(z.string()).optional(),
  /** An SVG chart of the table, a file beside bench.json (bench/ngram-scale.ts writes one). */
  chart: z
    .string()
    .regex(/^[\w.-]+\.svg$/)
    .optional(),
});
/** The bench runner's JSON: the tables each `bench/*.bench.ts` returned, by file. */
const benchSchema = z.object({
  node: z.string().optional(),
  cpus: z.number().optional(),
  results: z.record(z.string(), z.array(table)),
});
export type BenchFile = z.output<typeof benchSchema>;

/** The micro-benchmark figures in DIR, if `bench:micro` wrote any (optional: a report works without). */
export function readBench(dir: string): BenchFile | undefined {
  const path = join(dir, BENCH_FILE);
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const parsed = benchSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(describeConfigIssues(path, parsed.error));
  return parsed.data;
}

function formatCell(v: string | number): string {
  if (typeof v === 'string') return v;
  const a = Math.abs(v);
  return grouped(v, Number.isInteger(v) || a >= 1000 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 4);
}

/** The benchmark tables for the report page, in file order then the order each file gave. */
export function benchHtml(bench: BenchFile): string {
  const files = Object.keys(bench.results).sort();
  const tables = files.flatMap((file) =>
    bench.results[file]!.map((t) => {
      const columns = [...new Set(t.rows.flatMap((r) => Object.keys(r)))];
      const numeric = columns.map((c) => t.rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
      const th = columns.map((c, i) => `<th${numeric[i] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
      const body = t.rows
        .map(
          (r) =>
            `<tr>${columns.map((c, i) => `<td${numeric[i] ? ' class="num"' : ''}>${r[c] === undefined ? '' : escapeHtml(formatCell(r[c]))}</td>`).join('')}</tr>`,
        )
        .join('\n');
      const notes = (t.notes ?? []).map((n) => `<p class="caption">${escapeHtml(n)}</p>`).join('\n');
      const chart = t.chart ? `\n<figure><img src="${escapeHtml(t.chart)}" alt="${escapeHtml(t.title)}"></figure>` : '';
      return `<h3>${escapeHtml(t.title)} <small>(${escapeHtml(file)})</small></h3>\n<div class="table-wrap"><table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table></div>\n${notes}${chart}`;
    }),
  );
  const machine = [bench.node ? `Node ${bench.node}` : '', bench.cpus ? `${bench.cpus} CPUs` : ''].filter(Boolean).join(', ');
  return `<p class="caption">From <a href="${BENCH_FILE}">${BENCH_FILE}</a> (npm run bench:micro)${machine ? `; ${escapeHtml(machine)}` : ''}.</p>
${tables.join('\n')}`;
}
