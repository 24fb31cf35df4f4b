import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEnvironment } from '../../harness/experiment/environment.ts';
import { CELL_SCRIPT } from '../../harness/experiment/runner.ts';
import { PROJECT_DIR } from '../../harness/output-path.ts';
import { isCheckout, PACKAGE_DIR, packageId, packageVersion } from '../../harness/package-info.ts';

const root = realpathSync(join(import.meta.dirname, '..', '..'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };

// The installed side (dist/, no .git) is tested by test/package/install.test.ts.
describe('the package folder, found from the sources', () => {
  it('is the project folder, and the folder the output checks protect', () => {
    expect(PACKAGE_DIR).toBe(root);
    expect(PROJECT_DIR).toBe(root);
  });

  it("gives package.json's name and version", () => {
    expect(packageVersion()).toBe(manifest.version);
    expect(packageId()).toBe(`perplexity-bench@${manifest.version}`);
  });

  it('makes cells run the TypeScript cell script beside the sources', () => {
    expect(CELL_SCRIPT).toBe(join(root, 'harness', 'cell.ts'));
    expect(existsSync(CELL_SCRIPT)).toBe(true);
  });

  it("records the checked-out commit in a clone, the package's name and version otherwise", () => {
    expect(isCheckout()).toBe(existsSync(join(root, '.git')));
    const expected = isCheckout() ? /^[0-9a-f]{40}(-dirty)?$/ : new RegExp(`^perplexity-bench@${manifest.version.replaceAll('.', '\\.')}$`);
    expect(runEnvironment().gitCommit).toMatch(expected);
  });
});
