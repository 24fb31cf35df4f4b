import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Outcome, runMain } from '../run-main.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * A user's folder outside the project, as after `npm install perplexity-bench`: `import … from 'perplexity-bench'`
 * resolves, here to the repository's public API (index.ts) through a package in node_modules that re-exports it,
 * however the package itself is built. `files` are written into it; `examples` copies the examples/ folders named.
 */
export function pluginFolder(files: Readonly<Record<string, string>> = {}, examples: readonly string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-plugins-'));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'my-plugins', version: '1.0.0', private: true, type: 'module' })}\n`);
  const pkg = join(dir, 'node_modules', 'perplexity-bench');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), `${JSON.stringify({ name: 'perplexity-bench', type: 'module', exports: './index.ts' })}\n`);
  writeFileSync(join(pkg, 'index.ts'), `export * from ${JSON.stringify(join(ROOT, 'index.ts'))};\n`);
  for (const name of examples) cpSync(join(ROOT, 'examples', name), join(dir, name), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** The CLI in this process, run from `dir` (a user's folder). */
export async function cliIn(dir: string, ...args: string[]): Promise<Outcome> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await runMain(...args);
  } finally {
    process.chdir(before);
  }
}
