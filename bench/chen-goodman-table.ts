import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/**
 * The Chen & Goodman 1998 tables from a results folder of `run chen-goodman`: test perplexity of every method at
 * orders 3 and 5 on the largest training size, and each method's test cross-entropy minus the baseline's
 * (Jelinek-Mercer with one λ per order, as their "baseline" method; bits per token) against training size.
 * Usage: npx tsx bench/chen-goodman-table.ts RESULTS_DIR
 */
interface Row {
  readonly status: string;
  readonly corpus: string;
  readonly hyper_parameters: string;
  readonly test_perplexity: string;
  readonly train_tokens: string;
}

const dir = process.argv[2] ?? 'reports';
const rows = (parse(readFileSync(`${dir}/results.csv`, 'utf8'), { columns: true }) as Row[]).filter((r) => r.status === 'ok');
const method = (r: Row): string => {
  const hp = JSON.parse(r.hyper_parameters) as { smoothing: string; buckets?: number };
  return hp.smoothing === 'jelinek-mercer' ? `jelinek-mercer/${hp.buckets ?? 1}` : hp.smoothing;
};
const order = (r: Row): number => (JSON.parse(r.hyper_parameters) as { order: number }).order;
const sizes = [...new Set(rows.map((r) => r.corpus))].sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
const methods = [...new Set(rows.map(method))];
const find = (m: string, o: number, corpus: string): Row | undefined => rows.find((r) => method(r) === m && order(r) === o && r.corpus === corpus);
const largest = sizes.at(-1)!;

console.log(`Test perplexity on ${largest}:`);
console.table(
  Object.fromEntries(
    methods.map((m) => [m, Object.fromEntries([2, 3, 4, 5].map((o) => [`order ${o}`, Number(Number(find(m, o, largest)?.test_perplexity).toFixed(2))]))]),
  ),
);
for (const o of [2, 3, 5]) {
  console.log(`Order ${o}: test cross-entropy minus jelinek-mercer/1's (bits per token; negative is better):`);
  console.table(
    Object.fromEntries(
      methods.map((m) => [
        m,
        Object.fromEntries(
          sizes.map((s) => {
            const ours = find(m, o, s);
            const base = find('jelinek-mercer/1', o, s);
            return [s, ours && base ? Number((Math.log2(Number(ours.test_perplexity)) - Math.log2(Number(base.test_perplexity))).toFixed(3)) : NaN];
          }),
        ),
      ]),
    ),
  );
}
