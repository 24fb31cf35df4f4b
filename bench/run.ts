import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchFunction, BenchTable } from './types.ts';

/**
 * Runs every `bench/*.bench.ts` (or those whose name contains one of the arguments), one after the other in
 * this process, and prints their tables. Usage: `npm run bench:micro -- [FILTER…] [--json FILE]`.
 */
async function main(argv: string[]): Promise<void> {
  const jsonAt = argv.indexOf('--json');
  const jsonPath = jsonAt >= 0 ? argv[jsonAt + 1] : undefined;
  if (jsonAt >= 0 && !jsonPath) throw new Error('--json needs a file path');
  // Without --json, jsonAt + 1 is 0: the first filter must not be dropped as its "path".
  const filters = argv.filter((a, i) => a !== '--json' && (jsonAt < 0 || i !== jsonAt + 1));
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts') && (filters.length === 0 || filters.some((x) => f.includes(x))))
    .sort();
  if (files.length === 0) throw new Error(`no bench file matches ${filters.join(', ')}`);
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${files.length} bench file(s)`);
  const all: Record<string, readonly BenchTable[]> = {};
  for (const file of files) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as { default?: BenchFunction };
    if (typeof module.default !== 'function') throw new Error(`${file}: the default export must be a function returning tables`);
    console.log(`\n=== ${file}`);
    const tables = await module.default();
    all[file] = tables;
    for (const table of tables) {
      console.log(`\n${table.title}`);
      console.table(table.rows);
      for (const note of table.notes ?? []) console.log(`  ${note}`);
    }
  }
  if (jsonPath) {
    // A filtered run updates its files' tables and keeps the others' from an earlier run.
    let earlier: Record<string, readonly BenchTable[]> = {};
    if (existsSync(jsonPath)) {
      try {
        earlier = (JSON.parse(readFileSync(jsonPath, 'utf8')) as { results?: Record<string, readonly BenchTable[]> }).results ?? {};
      } catch {
        earlier = {};
      }
    }
    mkdirSync(dirname(jsonPath), { recursive: true });
    const tmp = `${jsonPath}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify({ node: process.version, cpus: cpus().length, results: { ...earlier, ...all } }, null, 1)}\n`);
    renameSync(tmp, jsonPath);
    console.log(`\nwrote ${jsonPath} (the report shows it: npx tsx harness/cli.ts report)`);
  }
}

await main(process.argv.slice(2));
