import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of the package this code belongs to: the nearest one above this module that holds a
 * `package.json`. That is the project's folder in a clone (sources run by tsx) and the installed package's
 * (`node_modules/perplexity-bench`, the compiled code in its `dist/`), so code finds it the same way from both.
 */
function packageFolder(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return realpathSync(dir);
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PACKAGE_DIR = packageFolder(dirname(fileURLToPath(import.meta.url)));

interface PackageJson {
  readonly name: string;
  readonly version: string;
}

let manifest: PackageJson | undefined;

function packageJson(): PackageJson {
  manifest ??= JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as PackageJson;
  return manifest;
}

/** The package's version, as `--version` prints it. */
export const packageVersion = (): string => packageJson().version;

/** Whether this code runs from a git checkout of the project (not from an installed package). */
export const isCheckout = (): boolean => existsSync(join(PACKAGE_DIR, '.git'));

/** `perplexity-bench@1.0.0`: how an installed package names the code that ran. */
export const packageId = (): string => `${packageJson().name}@${packageJson().version}`;
