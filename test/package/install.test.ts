import { cpSync, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackage, MANIFEST, PROJECT, TSC, type InstalledPackage } from './install-helpers.ts';

// A user's TypeScript against the shipped declarations: a uniform model written with the public API only.
const USER_TS = `import { definePlugin, evaluate, type LanguageModel, type Scorer, Vocabulary, z } from 'perplexity-bench';

const schema = z.strictObject({ alpha: z.number().positive().default(1) });

function uniform(vocab: Vocabulary): Scorer {
  return {
    vocabSize: vocab.size,
    reset() {},
    logProb: () => -Math.log(vocab.size),
    distribution(out: Float64Array) {
      out.fill(1 / vocab.size);
    },
    feed() {},
  };
}

function model(alpha: number, vocab: Vocabulary): LanguageModel {
  return {
    plugin: 'typed',
    hyperParameters: { alpha },
    vocab,
    train: async () => ({ tokensTrained: 0, seconds: 0, epochs: [], stoppedBy: 'done' }),
    scorer: () => uniform(vocab),
    parameterCount: () => 0,
    byteSize: () => 0,
    toCheckpoint: () => ({ plugin: 'typed', hyperParameters: { alpha }, vocabulary: vocab.words, meta: null, arrays: {} }),
  };
}

export const plugin = definePlugin({
  name: 'typed',
  family: 'example',
  description: 'every token equally likely',
  schema,
  create: (hp, vocab) => model(hp.alpha, vocab),
  fromCheckpoint: (_data, hp, vocab) => model(hp.alpha, vocab),
});

export function perplexityOf(words: readonly string[]): number {
  const vocab = new Vocabulary(words);
  const split = { tokens: new Int32Array([3, 4]), starts: new Int32Array([0, 2]), unk: 0, characters: 4 };
  return evaluate(plugin.create({}, vocab).scorer(), split, { mode: 'sentence' }).perplexity;
}

export function misuse(scorer: Scorer): number {
  // @ts-expect-error: a scorer takes token ids, not words (this line fails the check if the types were 'any')
  return scorer.logProb('a');
}
`;

// A user's tsconfig: strict, and none of the project's own settings (no allowImportingTsExtensions).
const USER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    noEmit: true,
  },
  files: ['typed.ts'],
};

// Plain JavaScript from the package root: the contract, corpora, evaluation and a layer.
const USER_MJS = `import { definePlugin, encodeCorpus, evaluate, loadCorpus, RNN, Vocabulary, z } from 'perplexity-bench';
import { z as usersZod } from 'zod';

const corpus = encodeCorpus(loadCorpus('ship'));
const V = corpus.vocab.size;
const uniform = { vocabSize: V, reset() {}, logProb: () => -Math.log(V), distribution: (out) => out.fill(1 / V), feed() {} };
const plugin = definePlugin({
  name: 'echo',
  family: 'example',
  description: 'keeps its hyper-parameters',
  schema: z.strictObject({ k: z.number().default(1) }),
  create: (hp, vocab) => ({ hyperParameters: hp, vocab }),
  fromCheckpoint: () => undefined,
});
let refused = '';
try {
  plugin.create({ kk: 2 }, corpus.vocab);
} catch (e) {
  refused = e.message;
}
console.log(JSON.stringify({
  vocabulary: V,
  perplexity: evaluate(uniform, corpus.test, { mode: 'sentence' }).perplexity,
  k: plugin.create({}, new Vocabulary(['<unk>', '<s>', '</s>', 'a'])).hyperParameters.k,
  refused,
  rnnParameters: new RNN({ inputSize: 2, hiddenSize: 3 }).parameterCount(),
  sameZod: z === usersZod,
}));
`;

// What --plugin does with a user's .ts file from the installed package (in npm init's CommonJS folder).
const LOAD_TS_MJS = `import { ensureTypeScriptLoader } from './node_modules/perplexity-bench/dist/harness/typescript-loader.js';
`;

const TINY_EXPERIMENT = {
  description: 'the unigram and a bigram on ship',
  corpora: ['ship'],
  models: [{ plugin: 'unigram' }, { plugin: 'ngram', hyperParameters: { order: 2 } }],
  seeds: [1],
};

describe('the npm package, installed from its tarball into an empty folder', () => {
  let pkg: InstalledPackage;
  const npx = (...args: string[]) => pkg.run('npx', ['perplexity-bench', ...args]);

  beforeAll(() => {
    pkg = installPackage([`@types/node@${MANIFEST.devDependencies['@types/node']}`]);
  }, 300_000);
  afterAll(() => pkg?.remove());

  it('ships dist/ and its documents, none of the sources', () => {
    const installed = join(pkg.dir, 'node_modules', MANIFEST.name);
    expect(readdirSync(installed).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'docs', 'package.json']);
    for (const file of [
      'index.js',
      'index.d.ts',
      'bin/perplexity-bench.js',
      'harness/cell.js',
      'numerics/kernels/gemm.wasm',
      'numerics/kernels/vector.wasm',
      'numerics/kernels/gemm-relaxed.wasm',
      'numerics/kernels/vector-relaxed.wasm',
    ]) {
      expect(existsSync(join(installed, 'dist', file)), file).toBe(true);
    }
    for (const file of ['numerics/kernels/gemm-worker.mjs', 'harness/experiments/default.json', 'harness/experiments/brown.json']) {
      expect(existsSync(join(installed, 'dist', file)), file).toBe(true);
    }
    expect(readdirSync(join(installed, 'dist')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('perplexity-bench --version prints the version of package.json', () => {
    const r = npx('--version');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`perplexity-bench ${MANIFEST.version}\n`);
  });

  it('trains a model and prints its perplexity', () => {
    const r = npx('train', '--model', 'unigram', '--corpus', 'ship');
    expect(r.status, r.stderr).toBe(0);
    // Add-one over ship's 28 types: the same figure as from the sources.
    expect(r.stdout).toMatch(/valid perplexity 18\.016 \(181 tokens, 0 <unk>/);
  });

  it('never writes inside the installed package, not even under its runs/', () => {
    const r = npx('train', '--model', 'unigram', '--corpus', 'ship', '--save', 'node_modules/perplexity-bench/runs/u');
    expect(r.status).toBe(2);
    const installed = realpathSync(join(pkg.dir, 'node_modules', MANIFEST.name));
    expect(r.stderr).toBe(
      `error: --save node_modules/perplexity-bench/runs/u: is inside the installed package (${installed}); choose a folder of your own, e.g. --save runs/unigram\n`,
    );
    expect(existsSync(join(installed, 'runs'))).toBe(false);
  });

  it('runs an experiment in the user folder: results.csv with the package as the code that ran, and the report', () => {
    pkg.write('tiny.json', JSON.stringify(TINY_EXPERIMENT));
    const r = npx('run', 'tiny.json', '--out', 'results');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tiny: 2 run, 0 failed/);
    const rows = parse(readFileSync(join(pkg.dir, 'results', 'results.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.model, row.status, row.git_commit])).toEqual([
      ['unigram', 'ok', `perplexity-bench@${MANIFEST.version}`],
      ['ngram', 'ok', `perplexity-bench@${MANIFEST.version}`],
    ]);
    expect(Number(rows[0]?.test_perplexity)).toBeCloseTo(18.016, 3);
    const html = readFileSync(join(pkg.dir, 'results', 'index.html'), 'utf8');
    expect(html).toContain('unigram');
    expect(html).toContain('ngram');
    // The bundled experiments are found inside the package too.
    const bundled = npx('run', 'no-such-experiment');
    expect(bundled.stderr).toBe('error: no experiment "no-such-experiment": not a bundled name (brown, chen-goodman, default) nor a file\n');
  });

  it("checks a user's plug-in written against the public API, and names the property a broken copy fails", () => {
    // examples/bigram (add-one bigram) and examples/bigram-broken (its unnormalised copy), as a user's own files.
    for (const example of ['bigram', 'bigram-broken']) cpSync(join(PROJECT, 'examples', example), join(pkg.dir, example), { recursive: true });
    const good = npx('check', './bigram/bigram.ts');
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^bigram \{\}\n {2}✓ normalisation {2}max \|Σp − 1\| = /);
    expect(good.stdout).not.toContain('✗');
    const broken = npx('check', './bigram-broken/bigram.ts');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/✗ normalisation {2}max \|Σp − 1\| = 4\.0e-2/);
    expect(broken.stderr).toMatch(/^error: bigram-broken \{\} fails "normalisation"/);
  });

  it('init-plugin writes a plug-in that passes check unchanged', () => {
    const init = npx('init-plugin', 'mylm');
    expect(init.status, init.stderr).toBe(0);
    const check = npx('check', './mylm/plugin.ts');
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^mylm \{\}\n/);
    expect(check.stdout.match(/^ {2}✓ /gm)?.length).toBe(8);
  });

  it('runs an experiment with "plugins" beside built-in models, into results.csv and every chart', () => {
    pkg.write(
      'with-bigram.json',
      JSON.stringify({ ...TINY_EXPERIMENT, plugins: ['./bigram/bigram.ts'], models: [{ plugin: 'bigram' }, ...TINY_EXPERIMENT.models] }),
    );
    const r = npx('run', 'with-bigram.json', '--out', 'with-bigram');
    expect(r.status, r.stderr).toBe(0);
    const out = join(pkg.dir, 'with-bigram');
    const rows = parse(readFileSync(join(out, 'results.csv')), { columns: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.model, row.family, row.status])).toEqual([
      ['bigram', 'bigram', 'ok'],
      ['unigram', 'example', 'ok'],
      ['ngram', 'ngram', 'ok'],
    ]);
    const charts = readdirSync(out).filter((f) => f.endsWith('.vl.json'));
    expect(charts.length).toBeGreaterThan(0);
    for (const chart of charts) expect(readFileSync(join(out, chart), 'utf8'), chart).toContain('add-one bigram');
  });

  it('imports the API from the package root in plain JavaScript', () => {
    pkg.write('api.mjs', USER_MJS);
    const r = pkg.run('node', ['api.mjs']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out.vocabulary).toBe(28);
    expect(out.perplexity).toBeCloseTo(28, 10);
    expect(out.k).toBe(1);
    expect(out.refused).toMatch(/model "echo": unknown option.*kk/);
    // torch.nn.RNN(2, 3): W_ih 3×2, W_hh 3×3 and two biases of 3.
    expect(out.rnnParameters).toBe(21);
    expect(out.sameZod).toBe(true);
  });

  it("type-checks a user's TypeScript against the shipped declarations", () => {
    pkg.write('typed.ts', USER_TS);
    pkg.write('tsconfig.json', JSON.stringify(USER_TSCONFIG));
    const r = pkg.run(process.execPath, [TSC, '-p', '.']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it("loads a user's .ts file through the TypeScript loader that --plugin uses", () => {
    pkg.write('typed.ts', USER_TS);
    pkg.write(
      'load-ts.mjs',
      `${LOAD_TS_MJS}await ensureTypeScriptLoader();\nconst m = await import('./typed.ts');\nconsole.log((m.perplexityOf ?? m.default.perplexityOf)(['<unk>', '<s>', '</s>', 'a', 'b']));\n`,
    );
    const r = pkg.run('node', ['load-ts.mjs']);
    expect(r.status, r.stderr).toBe(0);
    // Uniform over 5 ids: perplexity 5 whatever is scored.
    expect(Number(r.stdout)).toBeCloseTo(5, 10);
  });
});
