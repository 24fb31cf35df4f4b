import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Runs the micro-benchmarks: every `bench/*.bench.ts` exports `run(): Promise<BenchResult[]>` and each
 * file's rows are printed as a table. `npm run bench -- NAME…` runs only files whose name contains one
 * of the NAMEs (e.g. `npm run bench -- kernels`).
 */
export type BenchResult = Record<string, string | number>;

export interface BenchModule {
  run(): Promise<BenchResult[]>;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) throw new Error(`bench: no bench/*.bench.ts matches ${filters.join(', ')}`);
for (const file of files) {
  const module = (await import(pathToFileURL(dir + file).href)) as BenchModule;
  console.log(`\n${file}`);
  console.table(await module.run());
}
