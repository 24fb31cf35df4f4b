import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Build the package's `dist/` (run by `npm pack` through the `prepack` script): the compiled JavaScript and
 * `.d.ts` declarations of the shipped folders (`tsconfig.build.json`), and beside them the files the code
 * finds next to itself through `import.meta.url`.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');

/** Files that are not TypeScript, by folder: the code reads them from its own folder, so dist/ has them at the same place. */
const ASSETS: Readonly<Record<string, (name: string) => boolean>> = {
  'numerics/kernels': (name) => name.endsWith('.wasm') || name.endsWith('.mjs'),
  'harness/experiments': (name) => name.endsWith('.json') || name === 'README.md',
};

export function buildDist(): void {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
  for (const [folder, wanted] of Object.entries(ASSETS)) {
    for (const name of readdirSync(join(ROOT, folder)).filter(wanted)) {
      cpSync(join(ROOT, folder, name), join(DIST, folder, name));
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildDist();
