import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors/user-error.ts';
import { describeFailure } from '../harness/failure.ts';
import { runMain as cli, type Outcome } from './run-main.ts';

/**
 * Every command with bad arguments: the exit code is non-zero, stderr starts with `error:` and names the culprit,
 * and there is no stack trace. Most cases run in-process through `main()` (fast); a few spawn the real CLI.
 */

const root = join(import.meta.dirname, '..');

/** Run `f` with `folder` as the working folder. */
async function inFolder<T>(folder: string, f: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(folder);
  try {
    return await f();
  } finally {
    process.chdir(before);
  }
}

/** The real CLI, as a user runs it: `npx tsx harness/cli.ts ARGS` (node with tsx's loader). */
function spawnCli(...args: string[]): Outcome {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'harness/cli.ts'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const STACK_FRAME = /^\s+at /m;

/**
 * A clean error: exit code 2, an `error:` message that matches `culprit` as the last thing on stderr (train may
 * describe the corpus above it), no stack trace.
 */
function expectUserError(r: Outcome, culprit: RegExp): void {
  expect(r.stderr).toMatch(/(^|\n)error: /);
  expect(r.stderr.slice(r.stderr.search(/(^|\n)error: /))).toMatch(culprit);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toMatch(/node:internal|\b\w*Error: /);
  expect(r.code).toBe(2);
}

const dir = mkdtempSync(join(tmpdir(), 'pb-cli-errors-'));
const file = join(dir, 'notes.txt');
const folder = join(dir, 'folder');
const text = join(dir, 'cats.txt');
const unigram = join(dir, 'unigram-model');
const ngram = join(dir, 'ngram-model');
const notJson = join(dir, 'experiment.txt');
const hyphenated = join(dir, 'hyphenated.json');
const outOfRange = join(dir, 'out-of-range.json');
const valid = join(dir, 'valid.json');

beforeAll(async () => {
  writeFileSync(file, 'precious\n');
  mkdirSync(folder);
  writeFileSync(text, `${Array.from({ length: 40 }, (_, i) => `the cat ${i % 2 ? 'sat' : 'ran'} on mat ${i % 5}`).join('\n')}\n`);
  writeFileSync(notJson, 'this is not JSON\n');
  const experiment = (hyperParameters: Record<string, unknown>): string =>
    JSON.stringify({ corpora: ['hihello'], models: [{ plugin: 'gru', hyperParameters }], budget: { epochs: 1 } });
  writeFileSync(hyphenated, experiment({ 'hidden-size': 4 }));
  writeFileSync(outOfRange, experiment({ hiddenSize: 0 }));
  writeFileSync(valid, JSON.stringify({ corpora: ['hihello'], models: [{ plugin: 'unigram' }] }));
  expect((await cli('train', '--model', 'unigram', '--corpus', `text:${text}`, '--save', unigram, '--json')).code).toBe(0);
  expect((await cli('train', '--model', 'ngram', '--order', '2', '--corpus', `text:${text}`, '--save', ngram, '--json')).code).toBe(0);
});

describe('train: bad arguments', () => {
  it('an unknown option suggests the closest one, in either spelling', async () => {
    expectUserError(
      await cli('train', '--model', 'unigram', '--alpah', '1', '--corpus', 'hihello'),
      /train: unknown option --alpah \(did you mean --alpha\?\)/,
    );
    expectUserError(
      await cli('train', '--model', 'gru', '--hiddenSize', '4', '--corpus', 'hihello'),
      /unknown option --hiddenSize \(did you mean --hidden-size\?\)/,
    );
    expectUserError(
      await cli('train', '--hidden-size', '4', '--corpus', 'hihello'),
      /unknown option --hidden-size \(a model's options are known once --model NAME is given\)/,
    );
    expectUserError(await cli('train', '--model', 'nope', '--corpus', 'hihello'), /unknown model "nope"; available: unigram, ngram, window, rnn, lstm, gru/);
  });

  it('a missing value, or an option where the value should be, names the option and its placeholder', async () => {
    expectUserError(await cli('train', '--model', 'unigram', '--corpus'), /train: --corpus needs a value \(SPEC\)$/m);
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', '--mode', 'stream'), /--corpus needs a value \(SPEC\), got the option --mode/);
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--json=yes'), /--json takes no value/);
  });

  it('bad numbers and choices', async () => {
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--seed', 'x'), /--seed must be an integer ≥ 0, got "x"/);
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--epochs', '0'), /--epochs must be an integer ≥ 1, got "0"/);
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--mode', 'sideways'), /--mode must be "sentence" or "stream"/);
    expectUserError(await cli('train', '--model', 'gru', '--corpus', 'hihello', '--hidden-size', 'many'), /--hidden-size must be a number, got "many"/);
  });

  it("a model's option is named as a flag, in the plug-in's own messages too", async () => {
    const zero = await cli('train', '--model', 'gru', '--hidden-size', '0', '--corpus', 'hihello');
    expectUserError(zero, /model "gru": option --hidden-size: Too small: expected number to be >=1/);
    expect(zero.stderr).not.toMatch(/hiddenSize/);
    const tie = await cli('train', '--model', 'gru', '--tie', '--embedding-size', '64', '--hidden-size', '32', '--corpus', 'hihello');
    expectUserError(tie, /option --tie: tying needs --embedding-size = --hidden-size \(got 64 and 32\)/);
    expectUserError(await cli('train', '--model', 'window', '--h', '0', '--corpus', 'ship'), /model "window": option --direct: is needed when h = 0/);
    expectUserError(
      await cli('train', '--model', 'ngram', '--smoothing', 'add-k', '--discount-fallback', '--corpus', 'ship'),
      /option --discount-fallback: applies to smoothing "kn", "mkn", .*, not "add-k"/,
    );
  });

  it('is refused before the corpus is read when a model option is bad', async () => {
    // The corpus does not exist: the option's message comes first, so nothing was loaded.
    expectUserError(await cli('train', '--model', 'gru', '--hidden-size', '0', '--corpus', `text:${join(dir, 'none.txt')}`), /--hidden-size/);
  });

  it('corpus files: missing, a folder where a file is needed, a file where a folder is', async () => {
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', `text:${join(dir, 'none.txt')}`), /none\.txt: no such file/);
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', `text:${folder}`), new RegExp(`${folder}: is a folder, not a file`));
    expectUserError(
      await cli('train', '--model', 'unigram', '--corpus', `files:${file}/train.txt,${text},${text}`),
      /notes\.txt\/train\.txt: cannot be read \(ENOTDIR\)/,
    );
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'files:a.txt,b.txt'), /needs three comma-separated paths/);
  });

  it('--save under a file is an error naming the path', async () => {
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--save', join(file, 'sub')), /notes\.txt/);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });
});

describe('train: the defaults work on the README toy corpora', () => {
  it('ngram with every default trains on ship (the fallback discounts where the estimate fails), the same as --discount-fallback', async () => {
    const byDefault = await cli('train', '--model', 'ngram', '--corpus', 'ship', '--json');
    expect(byDefault.stderr).toBe('');
    expect(byDefault.code).toBe(0);
    const summary = JSON.parse(byDefault.stdout) as { hyperParameters: unknown; validPerplexity: number };
    expect(summary.hyperParameters).toEqual({ order: 3, smoothing: 'mkn' });
    expect(summary.validPerplexity).toBeGreaterThan(1);
    expect(summary.validPerplexity).toBeLessThan(28); // below the uniform distribution over the 28 symbols
    const explicit = JSON.parse((await cli('train', '--model', 'ngram', '--corpus', 'ship', '--discount-fallback', '--json')).stdout) as typeof summary;
    expect(explicit.validPerplexity).toBe(summary.validPerplexity);
    for (const toy of ['hihello', 'ship']) expect((await cli('train', '--model', 'ngram', '--smoothing', 'kn', '--corpus', toy, '--json')).code).toBe(0);
  });

  it('--no-discount-fallback fails as lmplz does, with a message giving the flag to drop', async () => {
    expectUserError(
      await cli('train', '--model', 'ngram', '--corpus', 'ship', '--no-discount-fallback'),
      /ngram mkn: cannot estimate the Kneser-Ney discounts: the order-3 discount D3\+ = -0\.15 is outside \[0, 3\].*--no-discount-fallback on the command line/,
    );
  });
});

describe('eval, export-arpa, generate: bad arguments', () => {
  it('eval', async () => {
    expectUserError(await cli('eval', '--load', join(dir, 'none'), '--corpus', 'hihello'), /none: no such model folder/);
    expectUserError(await cli('eval', '--load', file, '--corpus', 'hihello'), /notes\.txt: not a perplexity-bench model/);
    expectUserError(await cli('eval', '--load', folder, '--corpus', 'hihello'), /folder: not a perplexity-bench model \(no model\.json\)/);
    expectUserError(await cli('eval', '--load', unigram, '--text', folder), /folder: is a folder, not a file/);
    expectUserError(await cli('eval', '--load', unigram, '--text', join(dir, 'none.txt')), /none\.txt: no such file/);
    expectUserError(await cli('eval', '--arpa', file, '--text', text), /notes\.txt: not an ARPA file/);
    expectUserError(await cli('eval', '--arpa', folder, '--text', text), /folder: cannot be read \(EISDIR\)/);
    expectUserError(await cli('eval', '--load', unigram, '--corpus', `text:${text}`, '--split', 'dev'), /--split must be train, valid or test, got "dev"/);
    expectUserError(await cli('eval', '--corpus', 'hihello'), /eval needs exactly one of --load DIR or --arpa FILE/);
    expectUserError(await cli('eval', '--load', unigram), /eval needs exactly one of --corpus SPEC/);
  });

  it('export-arpa', async () => {
    expectUserError(await cli('export-arpa', '--load', unigram, '--out', join(dir, 'u.arpa')), /ARPA export needs an ngram model; this is a "unigram" model/);
    expectUserError(await cli('export-arpa', '--load', ngram), /--out is required/);
    expectUserError(await cli('export-arpa', '--load', ngram, '--out', join(file, 'x.arpa')), /notes\.txt\/x\.arpa/);
    // A folder where the file should go: named, not EISDIR with a stack (paths: a clearer message, checked first).
    expectUserError(await cli('export-arpa', '--load', ngram, '--out', folder), new RegExp(folder));
    expect(readdirSync(folder)).toEqual([]);
  });

  it('generate', async () => {
    expectUserError(await cli('generate', '--load', unigram, '--temperature', '-1'), /--temperature must be a number ≥ 0, got "-1"/);
    expectUserError(await cli('generate', '--load', unigram, '--temperature', 'hot'), /--temperature must be a number ≥ 0, got "hot"/);
    expectUserError(await cli('generate', '--load', unigram, '--tokens', '0'), /--tokens must be an integer ≥ 1, got "0"/);
    expectUserError(await cli('generate', '--load', file), /notes\.txt: not a perplexity-bench model/);
    expectUserError(await cli('generate', '--tokens', '5'), /--load is required/);
  });
});

describe('corpus, models: bad arguments', () => {
  it('corpus', async () => {
    expectUserError(await cli('corpus'), /--corpus is required/);
    expectUserError(await cli('corpus', '--corpus', 'nope'), /--corpus "nope" is not known/);
    expectUserError(await cli('corpus', '--corpus', 'hihello', '--min-count', '2'), /--corpus hihello fixes its own tokens/);
    expectUserError(await cli('corpus', '--corpus', `text:${text}`, '--fractions', '1,2'), /--fractions must be three fractions/);
    expectUserError(await cli('corpus', '--corpus', `text:${text}`, '--level', 'syllable'), /--level must be "word" or "char", got "syllable"/);
    expectUserError(await cli('corpus', '--corpus', `text:${text}`, '--min-count', 'x'), /--min-count must be a number, got "x"/);
  });

  it('models', async () => {
    expectUserError(await cli('models', '--json'), /models: unknown option --json/);
    expectUserError(await cli('models', 'ngram'), /models: unexpected argument "ngram"/);
  });

  it('an unknown command suggests the closest', async () => {
    const r = await cli('trian');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown command "trian" \(did you mean train\?\)/);
  });
});

describe('run, report, merge: bad arguments', () => {
  it('run', async () => {
    const out = join(dir, 'results');
    expectUserError(await cli('run', notJson, '--out', out), /experiment\.txt: not valid JSON/);
    expectUserError(await cli('run', join(dir, 'none.json'), '--out', out), /none\.json: no such file/);
    expectUserError(await cli('run', folder, '--out', out), /folder: cannot be read \(EISDIR\)/);
    expectUserError(await cli('run', 'nope', '--out', out), /no experiment "nope": not a bundled name/);
    expectUserError(await cli('run', '--out', out), /run takes one experiment/);
    expectUserError(await cli('run', 'default', '--shard', '3/2', '--out', out), /--shard must be K\/N with 1 ≤ K ≤ N/);
    expectUserError(await cli('run', 'default', '--shard'), /--shard needs a value \(K\/N\)/);
  });

  it("run: an experiment's options are named as JSON keys", async () => {
    const out = join(dir, 'results');
    expectUserError(
      await cli('run', hyphenated, '--out', out),
      /"models\[0\]\.hyperParameters" \(gru \{"hidden-size":4\}\): unknown option "hidden-size" \(did you mean "hiddenSize"\?\)/,
    );
    const range = await cli('run', outOfRange, '--out', out);
    expectUserError(range, /option "hiddenSize": Too small/);
    expect(range.stderr).not.toMatch(/--hidden-size/);
  });

  it('run --out FILE is an error naming the file, which is kept', async () => {
    expectUserError(await cli('run', valid, '--out', file, '--no-report'), /notes\.txt/);
    expect(readFileSync(file, 'utf8')).toBe('precious\n');
  });

  it('report', async () => {
    expectUserError(await cli('report', '--out', join(dir, 'none')), /none\/results\.csv: not found/);
    expectUserError(await cli('report', '--out', file), /notes\.txt/);
    expectUserError(await cli('report', 'reports'), /report: unexpected argument "reports"/);
  });

  it('merge', async () => {
    expectUserError(await cli('merge', '--out', join(dir, 'merged')), /merge needs the results folders to join/);
    expectUserError(await cli('merge', join(dir, 'none'), '--out', join(dir, 'merged')), /none: no such results folder/);
    expectUserError(await cli('merge', file, '--out', join(dir, 'merged')), /notes\.txt: is a file, not a results folder/);
  });
});

// Output paths refused before any work, and generate at very low temperatures (computed in log space).
describe('refused outputs and cold sampling', () => {
  it('train --save into a folder that is not a model is refused before training, and the folder is untouched', async () => {
    const precious = join(dir, 'precious');
    mkdirSync(precious);
    writeFileSync(join(precious, 'notes.txt'), 'precious\n');
    expectUserError(await cli('train', '--model', 'unigram', '--corpus', 'hihello', '--save', precious), /precious/);
    expect(readFileSync(join(precious, 'notes.txt'), 'utf8')).toBe('precious\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('train --save . is refused', async () => {
    // In a scratch folder, so that a regression removes that folder and not the checkout.
    const scratch = join(dir, 'scratch-save');
    mkdirSync(scratch);
    writeFileSync(join(scratch, 'notes.txt'), 'precious\n');
    const r = await inFolder(scratch, () => cli('train', '--model', 'unigram', '--corpus', 'hihello', '--save', '.'));
    expectUserError(r, /--save/);
    expect(readFileSync(join(scratch, 'notes.txt'), 'utf8')).toBe('precious\n');
  });

  it('merge without --out is an error', async () => {
    const shard = join(dir, 'shard');
    expect((await cli('run', valid, '--out', shard, '--no-report')).code).toBe(0);
    // In a scratch folder, so that a regression to a default output folder writes nothing in the checkout.
    const scratch = join(dir, 'scratch-merge');
    mkdirSync(scratch);
    expectUserError(await inFolder(scratch, () => cli('merge', shard)), /--out/);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('generate --temperature 0.001 works (low temperatures in log space)', async () => {
    for (const model of [unigram, ngram]) {
      const cold = await cli('generate', '--load', model, '--temperature', '0.001', '--tokens', '12');
      expect(cold.stderr).toBe('');
      expect(cold.code).toBe(0);
      expect(cold.stdout.trim().length).toBeGreaterThan(0);
    }
  });
});

describe('the real process', () => {
  it('--version prints the version in package.json', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = spawnCli(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`perplexity-bench ${version}\n`);
    }
  });

  it('an unknown option exits 2 with one line and no stack trace', () => {
    const r = spawnCli('train', '--model', 'gru', '--hiddenSize', '4', '--corpus', 'hihello');
    expect(r.stderr).toBe("error: train: unknown option --hiddenSize (did you mean --hidden-size?); see 'train --help'\n");
    expect(r.code).toBe(2);
  });

  it('a folder where a file is needed is refused with the path, without a stack trace', () => {
    const r = spawnCli('export-arpa', '--load', ngram, '--out', folder);
    expectUserError(r, new RegExp(`^error: --out ${folder}: is a folder`));
  });
});

describe('the safety net for errors that are not UserErrors', () => {
  it('a file-system error names the path (the target of a rename) and what its code means', () => {
    let error: unknown;
    try {
      readdirSync(file);
    } catch (e) {
      error = e;
    }
    expect(describeFailure(error, false)).toEqual({
      text: `error: ${file}: is not a folder (or a folder on the way to it is a file) (ENOTDIR on scandir)`,
      exitCode: 2,
    });
    const rename = Object.assign(new Error('EISDIR: illegal operation on a directory'), {
      code: 'EISDIR',
      syscall: 'rename',
      path: '/x/.out.tmp-1',
      dest: '/x/out',
    });
    expect(describeFailure(rename, false).text).toBe('error: /x/out: is a folder, where a file is needed (EISDIR on rename)');
  });

  it('an internal error says so and where it was thrown, with the stack only when PERPLEXITY_BENCH_DEBUG=1', () => {
    const bug = new Error('the distribution has no mass');
    const plain = describeFailure(bug, false);
    expect(plain.exitCode).toBe(1);
    expect(plain.text).toMatch(/^error: the distribution has no mass\nThis is an internal error of perplexity-bench \(at test\/cli-errors\.test\.ts:\d+:\d+\)/);
    expect(plain.text).toMatch(/set PERPLEXITY_BENCH_DEBUG=1 to see the stack trace/);
    expect(plain.text).not.toMatch(STACK_FRAME);
    const debug = describeFailure(bug, true);
    expect(debug.text).toMatch(STACK_FRAME);
    expect(describeFailure(new UserError('--x: bad'), false)).toEqual({ text: 'error: --x: bad', exitCode: 2 });
    expect(describeFailure('a string', false).text).toMatch(/^error: a string\nThis is an internal error/);
  });
});
