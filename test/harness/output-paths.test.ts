import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../harness/cli.ts';
import { loadModel } from '../../harness/commands/load-model.ts';
import { writeFileAtomic } from '../../harness/experiment/atomic.ts';
import { readResults, RESULTS_FILE, writeResults } from '../../harness/experiment/results.ts';
import { PROJECT_DIR } from '../../harness/output-path.ts';
import { loadCheckpoint } from '../../models/checkpoint.ts';
import { writeArpa } from '../../models/ngram/arpa-write.ts';
import { builtInRegistry } from '../../models/registry.ts';
import { writeFixtureResults } from './report-fixture.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'pb-paths-'));

/** Run the CLI's `main` in this process (as `npx tsx harness/cli.ts ARGS` does), capturing what it prints. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** Every entry below `root` (itself included) with its bytes, to show that a refused command changed nothing. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (path: string): void => {
    const key = relative(root, path) || '.';
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      entries[key] = 'folder';
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else {
      entries[key] = readFileSync(path).toString('base64');
    }
  };
  walk(root);
  return entries;
}

/** `train` of the smallest model; `--corpus` a missing file, so only a refused `--save` can be what stops it first. */
const trainTo = (save: string, corpus = 'ship'): Promise<{ code: number; stdout: string; stderr: string }> =>
  cli('train', '--model', 'unigram', '--corpus', corpus, '--save', save);

/** Expect a refusal: exit code 2, `error: --OPTION PATH: …` matching `why`, nothing changed in `watched`. */
async function expectRefused(run: () => Promise<{ code: number; stderr: string }>, why: RegExp, watched: string): Promise<string> {
  const before = snapshot(watched);
  const { code, stderr } = await run();
  expect(stderr).toMatch(why);
  expect(stderr).toMatch(/^error: --(save|out) /);
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(code).toBe(2);
  expect(snapshot(watched)).toEqual(before);
  return stderr;
}

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('train --save', () => {
  it('refuses an existing folder that is not a model, before reading the corpus, and leaves it untouched', async () => {
    const dir = tmp();
    const x = join(dir, 'x');
    mkdirSync(x);
    writeFileSync(join(x, 'notes.txt'), 'precious\n');
    const stderr = await expectRefused(
      () => trainTo(x, `text:${join(dir, 'missing.txt')}`),
      /is a folder that is not a model saved by perplexity-bench \(it holds notes\.txt\)/,
      dir,
    );
    expect(stderr).toMatch(/choose a new one, e\.g\. --save runs\/unigram/);
  });

  it('refuses a file, and a path through a file', async () => {
    const dir = tmp();
    const file = join(dir, 'file');
    writeFileSync(file, 'mine\n');
    await expectRefused(() => trainTo(file), /--save .*file: is a file; a model is saved as a folder/, dir);
    await expectRefused(() => trainTo(join(file, 'sub')), new RegExp(`--save .*file/sub: ${file} is a file, not a folder`), dir);
  });

  it('refuses the current folder and a folder that contains it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    process.chdir(dir);
    await expectRefused(() => trainTo('.'), /--save \.: is the current folder; a model gets a folder of its own/, dir);
    process.chdir(join(dir, 'a', 'b'));
    await expectRefused(() => trainTo(join(dir, 'a')), /contains the current folder/, dir);
  });

  it("refuses the project's folder, its sources (models/window, a new folder under models/) and any folder holding .git or package.json", async () => {
    const dir = tmp();
    process.chdir(dir);
    const window = join(PROJECT_DIR, 'models', 'window');
    await expectRefused(
      () => trainTo(window),
      /is inside this project's sources \(.*models\); inside the project, commands write only under reports\/, runs\/, tmp\//,
      window,
    );
    await expectRefused(() => trainTo(join(PROJECT_DIR, 'models', 'mkn5')), /is inside this project's sources/, join(PROJECT_DIR, 'models'));
    expect(existsSync(join(PROJECT_DIR, 'models', 'mkn5'))).toBe(false);
    await expectRefused(() => trainTo(PROJECT_DIR), /is this project's folder/, join(PROJECT_DIR, 'models', 'unigram'));
    for (const marker of ['.git', 'package.json']) {
      const project = join(dir, `project-${marker}`);
      mkdirSync(join(project, 'src'), { recursive: true });
      if (marker === '.git') mkdirSync(join(project, marker));
      else writeFileSync(join(project, marker), '{}\n');
      await expectRefused(() => trainTo(project), new RegExp(`holds ${marker.replace('.', '\\.')}, so it is a project's folder`), project);
    }
  });

  it('saves into a new folder (making its parents) or an empty one, and replaces a saved model, keeping other files, with no temporaries left', async () => {
    const dir = tmp();
    const fresh = join(dir, 'deep', 'er', 'model');
    const made = await cli('train', '--model', 'unigram', '--alpha', '0.5', '--corpus', 'ship', '--save', fresh);
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/saved to .*model\n/);
    expect(loadCheckpoint(fresh).hyperParameters).toEqual({ alpha: 0.5 });

    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await trainTo(empty)).code).toBe(0);
    expect(readdirSync(empty).sort()).toEqual(['arrays.bin', 'model.json']);

    writeFileSync(join(fresh, 'notes.txt'), 'about this model\n');
    const replaced = await cli('train', '--model', 'unigram', '--alpha', '2', '--corpus', 'ship', '--save', fresh);
    expect(replaced.code).toBe(0);
    expect(replaced.stdout).toMatch(/saved to .*model \(replacing the model saved there before\)/);
    expect(loadCheckpoint(fresh).hyperParameters).toEqual({ alpha: 2 });
    expect(readFileSync(join(fresh, 'notes.txt'), 'utf8')).toBe('about this model\n');
    expect(readdirSync(fresh).sort()).toEqual(['arrays.bin', 'model.json', 'notes.txt']);
    expect(Object.keys(snapshot(dir)).filter((p) => p.includes('.tmp-'))).toEqual([]);
  });
});

describe('export-arpa --out', () => {
  const ref = join(PROJECT_DIR, 'test/fixtures/kenlm/open');
  const corpus = `files:${join(ref, 'train.txt')},${join(ref, 'test.txt')},${join(ref, 'test.txt')}`;
  const missingModel = join(tmpdir(), 'pb-paths-no-such-model');

  it('refuses a folder, an existing file (without --overwrite), a path through a file and the sources, before loading the model', async () => {
    const dir = tmp();
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const existing = join(dir, 'kept.arpa');
    writeFileSync(existing, "someone else's model\n");
    const exportTo = (out: string): Promise<{ code: number; stderr: string }> => cli('export-arpa', '--load', missingModel, '--out', out);
    await expectRefused(() => exportTo(folder), /--out .*folder: is a folder; --out names the file to write, e\.g\. --out .*folder\/model\.arpa/, dir);
    await expectRefused(() => exportTo(existing), /--out .*kept\.arpa: exists; add --overwrite to replace it, or choose a new name/, dir);
    await expectRefused(() => exportTo(join(existing, 'x.arpa')), /kept\.arpa is a file, not a folder/, dir);
    await expectRefused(
      () => exportTo(join(PROJECT_DIR, 'models', 'ngram', 'arpa-write.ts')),
      /is inside this project's sources/,
      join(PROJECT_DIR, 'models', 'ngram'),
    );
  });

  it('writes a new file (making its folders), and replaces one with --overwrite, with no temporaries left', async () => {
    const dir = tmp();
    const model = join(dir, 'kn2');
    expect((await cli('train', '--model', 'ngram', '--order', '2', '--smoothing', 'kn', '--corpus', corpus, '--save', model)).code).toBe(0);
    const fresh = join(dir, 'new', 'kn2.arpa');
    expect((await cli('export-arpa', '--load', model, '--out', fresh)).code).toBe(0);
    expect(readFileSync(fresh, 'utf8')).toMatch(/^\\data\\\nngram 1=/);
    const existing = join(dir, 'old.arpa');
    writeFileSync(existing, 'old\n');
    expect((await cli('export-arpa', '--load', model, '--out', existing, '--overwrite')).code).toBe(0);
    expect(readFileSync(existing)).toEqual(readFileSync(fresh));
    // The writer itself names a path it cannot write (the command's check comes first; this is the later failure).
    expect(() => writeArpa(loadModel(model, builtInRegistry).model, join(existing, 'x.arpa'))).toThrow(
      /--out .*old\.arpa\/x\.arpa: cannot be written \((ENOTDIR|EEXIST)\)/,
    );
    expect(() => writeFileAtomic(join(existing, 'results.csv'), 'x')).toThrow(/old\.arpa\/results\.csv: cannot be written \((ENOTDIR|EEXIST)\)/);
    expect(Object.keys(snapshot(dir)).filter((p) => p.includes('.tmp-'))).toEqual([]);
  });
});

describe('run, report and merge --out', () => {
  const config = join(tmp(), 'tiny.json');
  writeFileSync(config, JSON.stringify({ corpora: ['hihello'], models: [{ plugin: 'unigram' }] }));

  /** A folder of someone's files, and a file, to point each command at. */
  function foreign(): { dir: string; folder: string; file: string } {
    const dir = tmp();
    const folder = join(dir, 'papers');
    mkdirSync(join(folder, 'drafts'), { recursive: true });
    writeFileSync(join(folder, 'thesis.tex'), '\\documentclass{book}\n');
    writeFileSync(join(folder, 'notes.txt'), 'mine\n');
    const file = join(dir, 'results.txt');
    writeFileSync(file, 'mine\n');
    return { dir, folder, file };
  }

  const commands: Record<string, (out: string) => string[]> = {
    run: (out) => ['run', config, '--out', out],
    report: (out) => ['report', '--out', out],
    merge: (out) => ['merge', tmp(), '--out', out],
  };

  for (const [name, args] of Object.entries(commands)) {
    it(`${name} refuses a file, a folder of other files, a path through a file and the sources, before any work`, async () => {
      const { dir, folder, file } = foreign();
      await expectRefused(() => cli(...args(file)), /--out .*results\.txt: is a file; --out names a results folder/, dir);
      await expectRefused(
        () => cli(...args(folder)),
        /--out .*papers: holds files that are not results \(drafts, notes\.txt, thesis\.tex\); --out takes a new or empty folder, or one that run or merge wrote/,
        dir,
      );
      await expectRefused(() => cli(...args(join(file, 'sub'))), /results\.txt is a file, not a folder/, dir);
      await expectRefused(() => cli(...args(join(PROJECT_DIR, 'harness'))), /is inside this project's sources/, join(PROJECT_DIR, 'harness'));
    });
  }

  it('merge needs --out', async () => {
    const r = await cli('merge', writeFixtureResults().dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --out is required \(the results folder to write the merged results and their report into, e\.g\. --out runs\/merged\)/);
  });

  it('merge writes the report of what it merged and reports two folders that disagree about a run', async () => {
    const a = writeFixtureResults().dir;
    const b = tmp();
    cpSync(a, b, { recursive: true });
    const { rows, curves } = readResults(b);
    const changed = rows[0]!;
    rows[0] = { ...changed, testPerplexity: changed.testPerplexity! + 1, date: new Date(Date.parse(changed.date) + 60_000).toISOString() };
    writeResults(b, { rows, curves });

    const out = join(tmp(), 'merged');
    const r = await cli('merge', a, b, '--out', out);
    expect(r.code).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: run '));
    expect(warnings).toEqual([
      `warning: run ${changed.id} differs between ${b} (test_perplexity ${changed.testPerplexity! + 1}) and ${a} (test_perplexity ${changed.testPerplexity}); kept the later one, from ${b}`,
    ]);
    expect(r.stdout).toMatch(new RegExp(`merged 2 folders: ${rows.length} runs .* in ${out}/results\\.csv\\n.*charts written to ${out}/`));
    expect(readResults(out).rows.find((row) => row.id === changed.id)!.testPerplexity).toBe(changed.testPerplexity! + 1);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
    expect(existsSync(join(out, RESULTS_FILE))).toBe(true);
  });
});
