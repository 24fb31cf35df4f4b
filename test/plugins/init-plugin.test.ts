import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn, pluginFolder } from './plugin-folder.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = pluginFolder();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => cliIn(dir, ...args);

describe('init-plugin', () => {
  it('writes a plug-in that passes check unchanged, and its own test (the kit under vitest) passes too', async () => {
    const r = await cli('init-plugin', 'my-lm');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'wrote my-lm/model.ts, my-lm/plugin.ts, my-lm/plugin.test.ts, my-lm/README.md\nnext: npx perplexity-bench check ./my-lm/plugin.ts   (then make model.ts your own model)\n',
    );
    expect(readFileSync(join(dir, 'my-lm', 'plugin.ts'), 'utf8')).toMatch(/^import \{ definePlugin, UserError, z \} from 'perplexity-bench';/);
    const check = await cli('check', './my-lm/plugin.ts');
    expect(check.code).toBe(0);
    expect(check.stdout.match(/✓/g)?.length).toBe(8);

    // The generated test, run by the user's vitest as they would (vitest linked in as if installed beside perplexity-bench).
    symlinkSync(join(ROOT, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'));
    writeFileSync(join(dir, 'vitest.config.ts'), 'export default {};\n');
    const vitest = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'my-lm'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests +8 passed \(8\)/);
    expect(vitest.status).toBe(0);
  });

  it('never overwrites, and refuses a bad or built-in name', async () => {
    const before = readdirSync(join(dir, 'my-lm')).sort();
    writeFileSync(join(dir, 'my-lm', 'model.ts'), 'mine\n');
    const again = await cli('init-plugin', 'my-lm');
    expect([again.code, again.stderr]).toEqual([
      2,
      'error: init-plugin: my-lm/model.ts exists; init-plugin never overwrites a file: choose another folder (init-plugin my-lm DIR)\n',
    ]);
    expect(readFileSync(join(dir, 'my-lm', 'model.ts'), 'utf8')).toBe('mine\n');
    expect(readdirSync(join(dir, 'my-lm')).sort()).toEqual(before);
    expect((await cli('init-plugin', 'My LM')).stderr).toMatch(/^error: init-plugin: the name "My LM" must be lowercase letters/);
    expect((await cli('init-plugin', 'ngram', 'other')).stderr).toMatch(/^error: init-plugin: "ngram" is a built-in plug-in's name/);
  });
});
