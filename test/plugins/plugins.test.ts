import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../../harness/plugin-loader.ts';
import { builtInRegistry } from '../../models/registry.ts';
import { cliIn, pluginFolder } from './plugin-folder.ts';

/** A plug-in module of `name`: the bigram example under another name, as a user might write one. */
const bigramCopy = (name: string, from = './bigram/bigram.ts'): string =>
  `import { definePlugin, z } from 'perplexity-bench';\n` +
  `import { BigramModel, countsOf } from '${from}';\n` +
  `class Copy extends BigramModel { override readonly plugin = ${JSON.stringify(name)}; }\n` +
  `export default definePlugin({ name: ${JSON.stringify(name)}, family: 'mine', description: 'a copy', schema: z.strictObject({}),\n` +
  `  create: (_hp, vocab) => new Copy(vocab), fromCheckpoint: (data, _hp, vocab) => new Copy(vocab, countsOf(data, vocab)) });\n`;

const dir = pluginFolder(
  {
    'throws.ts': "throw new Error('no GPU here');\nexport default 1;\n",
    'nothing.ts': 'export const x = 1;\n',
    'number.ts': 'export default 42;\n',
    'half.js': "export default { name: 'half', family: 'x', create() {} };\n",
    'ngram.ts': bigramCopy('ngram'),
    'mine.ts': bigramCopy('mine'),
    'mine-again.ts': bigramCopy('mine'),
    'other.ts': bigramCopy('other'),
    'two.ts': `import a from './mine.ts';\nimport b from './other.ts';\nexport default [a, b];\n`,
    'node_modules/pb-plugin-mine/package.json': JSON.stringify({ name: 'pb-plugin-mine', type: 'module', exports: { '.': { import: './plugin.ts' } } }),
    'node_modules/pb-plugin-mine/plugin.ts': bigramCopy('packaged', '../../bigram/bigram.ts'),
  },
  ['bigram', 'bigram-broken'],
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function loadError(...specs: string[]): Promise<string> {
  try {
    await loadPlugins(specs, dir);
  } catch (e) {
    return (e as Error).message;
  }
  return 'loaded';
}

describe('loading plug-ins', () => {
  it('loads a TypeScript file, a list export and an installed package, beside the built-ins', async () => {
    const registry = await loadPlugins(['./bigram/bigram.ts', 'two.ts', 'pb-plugin-mine'], dir);
    expect(registry.names()).toEqual([...builtInRegistry.names(), 'bigram', 'mine', 'other', 'packaged']);
    expect(registry.modules).toEqual([join(dir, 'bigram', 'bigram.ts'), join(dir, 'two.ts'), join(dir, 'node_modules', 'pb-plugin-mine', 'plugin.ts')]);
    const bigram = registry.find('bigram');
    expect([bigram.family, bigram.familyLabel, bigram.contextLength({})]).toEqual(['bigram', 'add-one bigram', 1]);
    expect(registry.find('mine').familyLabel).toBe('mine');
  });

  it('refuses what is not a plug-in, naming the file and why; nothing is loaded', async () => {
    expect(await loadError('./none.ts')).toBe(`--plugin: plug-in ./none.ts: no such file (${join(dir, 'none.ts')})`);
    expect(await loadError('no-such-package')).toMatch(/^--plugin: plug-in no-such-package: no such file, nor a package installed in /);
    expect(await loadError('./bigram')).toMatch(/plug-in \.\/bigram: is a folder, not a module file/);
    expect(await loadError('throws.ts')).toBe(`${join(dir, 'throws.ts')}: failed to load: no GPU here`);
    expect(await loadError('nothing.ts')).toMatch(/nothing\.ts: exports no plug-in: its default export must be what definePlugin\(\.\.\.\) returns/);
    expect(await loadError('number.ts')).toMatch(/number\.ts: the default export is not a plug-in \(it is number\)/);
    expect(await loadError('half.js')).toMatch(
      /half\.js: the default export is not a plug-in \(it lacks familyLabel \(string\), description \(string\), fromCheckpoint/,
    );
    expect(await loadError('ngram.ts')).toBe(`${join(dir, 'ngram.ts')}: plug-in "ngram" clashes with a built-in plug-in of the same name; rename it`);
    expect(await loadError('mine.ts', 'mine-again.ts')).toBe(
      `${join(dir, 'mine-again.ts')}: plug-in "mine" clashes with the plug-in loaded from ${join(dir, 'mine.ts')} of the same name; rename it`,
    );
  });
});

const cli = (...args: string[]) => cliIn(dir, ...args);

describe('check', () => {
  it('passes a built-in and the bigram example, one line a property with its figure', async () => {
    const builtIn = await cli('check', 'unigram');
    expect(builtIn.code).toBe(0);
    const bigram = await cli('check', './bigram/bigram.ts');
    expect(bigram.code).toBe(0);
    const lines = bigram.stdout.trim().split('\n');
    expect(lines[0]).toBe('bigram {}');
    expect(lines.slice(1).map((l) => l.slice(0, 4))).toEqual(Array(8).fill('  ✓ '));
    expect(bigram.stdout).toMatch(/✓ normalisation {2}max \|Σp − 1\| = (0|\d\.\de-1[5-7])\n/);
    expect(bigram.stdout).toMatch(/✓ byteSize {2}3220 bytes for 268 parameters/);
  });

  it('fails the broken bigram (exit 1), naming the normalisation property and its worst history', async () => {
    const r = await cli('check', './bigram-broken/bigram.ts');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ normalisation {2}max \|Σp − 1\| = 4\.0e-2; worst: after "<s> [^"]*"\n/);
    expect(r.stdout.match(/✓/g)?.length).toBe(7);
    expect(r.stderr).toMatch(/^error: bigram-broken \{\} fails "normalisation": max \|Σp − 1\| = 4\.0e-2; worst: after "<s> /);
  });

  it('takes --model and --hp, and refuses bad hyper-parameters as a usage error', async () => {
    const r = await cli('check', 'two.ts', '--model', 'other', '--hp', '{}');
    expect([r.code, r.stdout.split('\n')[0]]).toEqual([0, 'other {}']);
    expect((await cli('check', 'two.ts', '--model', 'nope')).stderr).toBe('error: --model nope: two.ts has no plug-in of that name; it has mine, other\n');
    const bad = await cli('check', 'ngram', '--hp', '{"order":0}');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/^error: model "ngram": option "order": Too small/)]);
  });
});

describe('--plugin on the model commands', () => {
  it('trains, lists, evaluates and generates with an external plug-in; a saved one needs --plugin to load', async () => {
    const models = await cli('models', '--plugin', './bigram/bigram.ts');
    expect(models.stdout).toMatch(/^bigram \(bigram\): Add-one \(Laplace\) bigram model/m);
    const save = join(dir, 'saved-bigram');
    const trained = await cli('train', '--plugin', './bigram/bigram.ts', '--model', 'bigram', '--corpus', 'ship', '--save', save, '--json');
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout) as { model: string; validPerplexity: number };
    expect(summary.model).toBe('bigram');
    const evaluated = await cli('eval', '--plugin', './bigram/bigram.ts', '--load', save, '--corpus', 'ship', '--split', 'valid', '--json');
    expect((JSON.parse(evaluated.stdout) as { perplexity: number }).perplexity).toBeCloseTo(summary.validPerplexity, 10);
    expect((await cli('generate', '--plugin', './bigram/bigram.ts', '--load', save, '--tokens', '5')).code).toBe(0);
    const unknown = await cli('eval', '--load', save, '--corpus', 'ship');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: .*saved-bigram: written by plug-in "bigram", which is not loaded: add --plugin PATH_OR_PACKAGE/);
  });
});
