import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCorpus, predictedTokens } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { runCommand } from '../../harness/commands/run.ts';
import { parseExperiment, type Experiment } from '../../harness/experiment/config.ts';
import { expandGrid } from '../../harness/experiment/grid.ts';
import { mergeResults } from '../../harness/experiment/merge.ts';
import { readResults, RESULTS_FILE, type ResultRow } from '../../harness/experiment/results.ts';
import { runExperiment, type RunEvent } from '../../harness/experiment/runner.ts';
import { predictedTargets, readCorpusTokens, readRunTokens } from '../../harness/experiment/token-files.ts';
import { evaluate } from '../../harness/metrics.ts';
import { bootstrapSplit } from '../../harness/statistics/bootstrap.ts';
import { trainModel } from '../../harness/train.ts';
import { buildCharts } from '../../harness/report/charts.ts';
import { loadReportData } from '../../harness/report/data.ts';
import { reportHtml } from '../../harness/report/html.ts';
import { markdownTable } from '../../harness/report/table.ts';
import { findPlugin } from '../../models/registry.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'pb-run-'));

function experimentFile(config: unknown, name = 'tiny'): Experiment {
  const dir = tmp();
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return { name, path, config: parseExperiment(config, path) };
}

const TINY = { corpora: ['hihello', 'ship'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 2] } }] };

/** The columns that the same run gives identically each time (not timing, memory, date). */
function stable(r: ResultRow): Partial<ResultRow> {
  const { date: _d, trainSeconds: _t, trainTokensPerSecond: _tt, scoringTokensPerSecond: _s, baselineRssBytes: _b, peakRssBytes: _p, ...rest } = r;
  return rest;
}

const silentIo = { stdout: { write: () => true }, stderr: { write: () => true } } as unknown as Parameters<typeof runCommand>[1];

describe('run', () => {
  it('runs every cell in its own process and records what the issue lists', async () => {
    const exp = experimentFile(TINY);
    const out = tmp();
    const pids = new Set<number>();
    const summary = await runExperiment(exp, { outDir: out, onEvent: (e) => e.type === 'start' && pids.add(e.pid) });
    expect(summary).toEqual({ cells: 4, ran: 4, failed: 0, skipped: 0, interrupted: false, kept: 0, keptShown: 0 });
    expect(pids.size).toBe(4);
    expect(pids.has(process.pid)).toBe(false);

    const { rows } = readResults(out);
    expect(rows.map((r) => [r.corpus, r.label, r.status])).toEqual([
      ['hihello', 'unigram alpha=0.5', 'ok'],
      ['hihello', 'unigram alpha=2', 'ok'],
      ['ship', 'unigram alpha=0.5', 'ok'],
      ['ship', 'unigram alpha=2', 'ok'],
    ]);
    for (const r of rows) {
      expect(r.peakRssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(r.peakRssBytes!).toBeGreaterThanOrEqual(r.baselineRssBytes!);
      expect(r.trainSeconds).toBeGreaterThanOrEqual(0);
      expect(r.scoringTokensPerSecond).toBeGreaterThan(0);
      expect(r.nodeVersion).toBe(process.version);
      expect(r.gitCommit).toMatch(/^([0-9a-f]{40}(-dirty)?|unknown)$/);
      expect(r.cpuModel.length).toBeGreaterThan(0);
      expect(['relaxed', 'simd']).toContain(r.kernels);
      expect(Date.parse(r.date)).not.toBeNaN();
      expect(r.hyperParameters).toMatch(/^\{"alpha":/);
    }

    // The numbers are those of the shared evaluation protocol, in this process, on the same corpus.
    const text = toyCorpus('ship');
    const corpus = encodeCorpus(text);
    const model = findPlugin('unigram').create({ alpha: 2 }, corpus.vocab);
    await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
    const perToken = new Float64Array(corpus.test.tokens.length + 1);
    const m = evaluate(model.scorer(), corpus.test, { mode: 'sentence', perToken });
    const row = rows[3]!;
    expect(row.testPerplexity).toBe(m.perplexity);
    expect(row).toMatchObject({
      testTokens: m.tokens,
      testUnk: 0,
      vocabSize: corpus.vocab.size,
      parameters: corpus.vocab.size,
      modelBytes: 8 * corpus.vocab.size,
    });

    // Per-token log-probabilities are kept as float32, with the corpus's targets and training counts.
    const kept = readRunTokens(out, row.id, m.tokens);
    expect(kept).toBeInstanceOf(Float32Array);
    expect(Array.from(kept as Float32Array)).toEqual(Array.from(Float32Array.from(perToken)));
    // So are the valid split's, beside them, and both perplexities get their bootstrap interval from them.
    const validPerToken = new Float64Array(predictedTokens(corpus.valid));
    const valid = evaluate(model.scorer(), corpus.valid, { mode: 'sentence', perToken: validPerToken });
    const keptValid = readRunTokens(out, row.id, valid.tokens, 'valid');
    expect(Array.from(keptValid as Float32Array)).toEqual(Array.from(Float32Array.from(validPerToken)));
    expect(existsSync(join(out, 'runs', `${row.id}.valid.f32`))).toBe(true);
    const validInterval = bootstrapSplit(corpus.valid, validPerToken, { mode: 'sentence' });
    const testInterval = bootstrapSplit(corpus.test, perToken, { mode: 'sentence' });
    expect(row).toMatchObject({
      validPerplexityLow: validInterval.low,
      validPerplexityHigh: validInterval.high,
      testPerplexityLow: testInterval.low,
      testPerplexityHigh: testInterval.high,
    });
    // Bits per character: the same ln-prob sum over the split's characters (one per token here, plus the newlines).
    expect(row.testCharacters).toBe(corpus.test.characters);
    expect(row.testBitsPerCharacter).toBeCloseTo(-m.logprob / corpus.test.characters / Math.LN2, 12);
    expect(row.validBitsPerCharacter).toBeCloseTo(-valid.logprob / corpus.valid.characters / Math.LN2, 12);
    // (The toy corpora's splits are a sentence or so each: zero-width intervals.)
    for (const r of rows) {
      expect(r.validPerplexityLow!).toBeLessThanOrEqual(r.validPerplexity!);
      expect(r.validPerplexityHigh!).toBeGreaterThanOrEqual(r.validPerplexity!);
      expect(r.testPerplexityLow!).toBeLessThanOrEqual(r.testPerplexity!);
      expect(r.testPerplexityHigh!).toBeGreaterThanOrEqual(r.testPerplexity!);
    }
    const ct = readCorpusTokens(out, row.corpusId)!;
    expect(ct.meta.testTokens).toBe(m.tokens);
    // Version 2 keeps the valid targets too (a comparison resamples valid sentences from the folder alone).
    expect(ct.meta).toMatchObject({ version: 2, validTokens: valid.tokens, validCharacters: corpus.valid.characters, testCharacters: corpus.test.characters });
    expect(Array.from(ct.validTargets!)).toEqual(Array.from(predictedTargets(corpus.valid)));
    expect(Array.from(ct.testTargets)).toEqual(Array.from(predictedTargets(corpus.test)));
    // Each sentence's characters add up to the split's, and the text's hash is that of its lines.
    expect(ct.testSentenceCharacters!.reduce((n, c) => n + c, 0)).toBe(corpus.test.characters);
    expect(ct.validSentenceCharacters!.length).toBe(corpus.valid.starts.length - 1);
    const lines = text.test.map((sentence) => `${sentence.join('')}\n`).join('');
    expect(ct.meta.testTextSha256).toBe(createHash('sha256').update(lines).digest('hex'));
    expect(ct.trainCounts[corpus.vocab.id(' ')]).toBe(corpus.train.tokens.filter((t) => t === corpus.vocab.id(' ')).length);
  });

  it('skips done cells on a re-run, runs them again with force, and keeps the file consistent', async () => {
    const exp = experimentFile(TINY);
    const out = tmp();
    await runExperiment(exp, { outDir: out });
    const before = readFileSync(join(out, RESULTS_FILE), 'utf8');
    const events: RunEvent[] = [];
    const again = await runExperiment(exp, { outDir: out, onEvent: (e) => events.push(e) });
    expect(again).toMatchObject({ ran: 0, skipped: 4 });
    expect(events.filter((e) => e.type === 'skip')).toHaveLength(4);
    expect(readFileSync(join(out, RESULTS_FILE), 'utf8')).toBe(before);

    const forced = await runExperiment(exp, { outDir: out, force: true });
    expect(forced).toMatchObject({ ran: 4, skipped: 0 });
    const rows = readResults(out).rows;
    expect(rows).toHaveLength(4);
    expect(rows.map(stable)).toEqual(readResultsFromText(before).map(stable));
  });

  it('records a failing cell with its message, keeps the others, and retries only the failure', async () => {
    const exp = experimentFile({ corpora: ['hihello', 'text:one-line.txt'], models: [{ plugin: 'unigram' }] }, 'failing');
    writeFileSync(join(dirname(exp.path), 'one-line.txt'), 'a whole book on one line\n');
    const out = tmp();
    const code = await runCommand({ config: exp.path, out }, silentIo);
    expect(code).toBe(1);
    const rows = readResults(out).rows;
    expect(rows.map((r) => r.status)).toEqual(['ok', 'failed']);
    expect(rows[1]!.error).toMatch(/one-line\.txt: has 1 non-blank line, so the valid and test splits get none/);
    expect(rows[1]!.testPerplexity).toBeNull();
    const retry = await runExperiment(exp, { outDir: out });
    expect(retry).toMatchObject({ ran: 1, failed: 1, skipped: 1 });
  });

  it('records a diverged cell as failed with its message, runs the next, and the report says it diverged', async () => {
    const exp = experimentFile(
      { corpora: ['ship'], budget: { epochs: 3 }, models: [{ plugin: 'lstm', hyperParameters: { learningRate: 1000, clip: 0 } }, { plugin: 'unigram' }] },
      'diverging',
    );
    const out = tmp();
    const summary = await runExperiment(exp, { outDir: out });
    expect(summary).toMatchObject({ ran: 2, failed: 1 });
    const { rows, curves } = readResults(out);
    expect(rows.map((r) => [r.model, r.status])).toEqual([
      ['lstm', 'failed'],
      ['unigram', 'ok'],
    ]);
    const message =
      /^training diverged by the end of epoch 1 \(step 6\): the mean training loss is \d+\.\d\d nats per token, over 10 times that of the uniform distribution \(ln 28 = 3\.33\); lower the learning rate \(--learning-rate \/ "learningRate", now 1000\) or enable gradient clipping \(--clip \/ "clip", e\.g\. 0\.25; now off\)$/;
    expect(rows[0]!.error).toMatch(message);
    expect(rows[0]!.testPerplexity).toBeNull();
    expect(curves.filter((c) => c.id === rows[0]!.id)).toEqual([]);
    expect(rows[1]!.testPerplexity).toBeGreaterThan(1);

    const report = loadReportData(out);
    const html = reportHtml(buildCharts(report), report);
    expect(html).toMatch(/<li>lstm \(ship, seed 1\): diverged by the end of epoch 1 \(step 6\): the mean training loss is/);
    expect(html).not.toMatch(/lstm[^<]*probability 0/);
    expect(markdownTable(report.rows)).toMatch(/\| lstm \|.*\| diverged by the end of epoch 1 \(step 6\): the mean training loss/);
  });

  it('checks that every corpus file exists before any cell runs', async () => {
    const exp = experimentFile({ corpora: ['hihello', { spec: 'files:a.txt,missing.txt,a.txt' }], models: [{ plugin: 'unigram' }] }, 'nofile');
    writeFileSync(join(dirname(exp.path), 'a.txt'), 'a b\n');
    const out = tmp();
    await expect(runCommand({ config: exp.path, out }, silentIo)).rejects.toThrow(
      new UserError(`${exp.path}: "corpora[1]" (files:a.txt,missing.txt,a.txt): ${join(dirname(exp.path), 'missing.txt')}: no such file`),
    );
    expect(existsSync(join(out, RESULTS_FILE))).toBe(false);
    writeFileSync(join(dirname(exp.path), 'folder.json'), JSON.stringify({ corpora: ['text:.'], models: [{ plugin: 'unigram' }] }));
    await expect(runCommand({ config: join(dirname(exp.path), 'folder.json'), out }, silentIo)).rejects.toThrow(
      /folder\.json: "corpora\[0\]" \(text:\.\): .*: is a folder, not a file$/,
    );
  });

  it('records a cell whose process dies', async () => {
    const exp = experimentFile({ corpora: ['hihello'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [1, 2] } }] }, 'killed');
    const out = tmp();
    let killed = false;
    const summary = await runExperiment(exp, {
      outDir: out,
      onEvent: (e) => {
        if (e.type === 'start' && !killed) {
          killed = true;
          process.kill(e.pid, 'SIGKILL');
        }
      },
    });
    expect(summary).toMatchObject({ ran: 2, failed: 1 });
    const rows = readResults(out).rows;
    expect(rows[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/killed by SIGKILL/) });
    expect(rows[1]).toMatchObject({ status: 'ok' });
  });

  it('an interrupt stops the running cell, records it, and runs no more', async () => {
    const exp = experimentFile(TINY);
    const out = tmp();
    const controller = new AbortController();
    let starts = 0;
    const summary = await runExperiment(exp, {
      outDir: out,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'start' && ++starts === 2) controller.abort();
      },
    });
    expect(summary).toMatchObject({ ran: 2, interrupted: true });
    const rows = readResults(out).rows;
    expect(rows.map((r) => [r.status, r.error])).toEqual([
      ['ok', ''],
      ['failed', 'interrupted'],
    ]);
  });

  it('Ctrl-C on the command leaves a readable file with the finished runs', async () => {
    const exp = experimentFile({ corpora: ['hihello'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 1, 2, 3, 4, 5] } }] }, 'sigint');
    const out = tmp();
    const child = spawn(process.execPath, ['--import', 'tsx', 'harness/cli.ts', 'run', exp.path, '--out', out], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CI: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait for the first finished run, then interrupt.
    const deadline = Date.now() + 60_000;
    while (!(existsSync(join(out, RESULTS_FILE)) && readResults(out).rows.length >= 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    const rows = readResults(out).rows;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(6);
    expect(rows[0]!.status).toBe('ok');
    expect(rows.filter((r) => r.status === 'failed').every((r) => r.error === 'interrupted')).toBe(true);
  });

  it('one run at a time writes a results folder', async () => {
    const exp = experimentFile({ corpora: ['hihello'], models: [{ plugin: 'unigram' }] }, 'locked');
    const out = tmp();
    writeFileSync(join(out, 'run.lock'), `${process.pid}\n`);
    await expect(runExperiment(exp, { outDir: out })).rejects.toThrow(/another run \(process \d+\) is writing its results/);
    // A lock whose process is gone is taken over, and released at the end.
    writeFileSync(join(out, 'run.lock'), '999999999\n');
    await expect(runExperiment(exp, { outDir: out })).resolves.toMatchObject({ ran: 1 });
    expect(existsSync(join(out, 'run.lock'))).toBe(false);
  });

  it('keeps the runs of an edited corpus, says so, and the report shows the latest of each configuration', async () => {
    const lines = Array.from({ length: 20 }, (_, i) => `the ship sails ${i % 3 ? 'north' : 'south'} at dawn`);
    const exp = experimentFile(
      { corpora: [{ spec: 'text:words.txt', label: 'words' }], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 2] } }] },
      'edited',
    );
    const words = join(exp.path, '..', 'words.txt');
    writeFileSync(words, `${lines.join('\n')}\n`);
    const out = tmp();
    expect(await runCommand({ config: exp.path, out }, silentIo)).toBe(0);

    // The corpus changes, and the experiment drops alpha=2: both old runs stay in results.csv.
    writeFileSync(words, `${lines.map((l) => `${l} again`).join('\n')}\n`);
    const edited = experimentFile(
      { corpora: [{ spec: `text:${words}`, label: 'words' }], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5] } }] },
      'edited',
    );
    let printed = '';
    const io = {
      stdout: {
        write: (t: string) => {
          printed += t;
          return true;
        },
      },
      stderr: { write: () => true },
    } as unknown as Parameters<typeof runCommand>[1];
    expect(await runCommand({ config: edited.path, out }, io)).toBe(0);
    expect(printed).toContain(
      'kept 2 runs from earlier configurations or corpora that this experiment no longer has; the report shows only the latest run of each configuration; ' +
        '1 of them is still the latest of its configuration (a model or corpus the experiment dropped) and stays on the charts',
    );
    const { rows } = readResults(out);
    expect(rows).toHaveLength(3);
    const data = loadReportData(out);
    expect(data.rows.map((r) => [r.label, r.corpusId === expandGrid(edited)[0]!.corpusId])).toEqual([
      ['unigram alpha=0.5', true],
      ['unigram alpha=2', false],
    ]);
    expect(data.superseded.map((r) => r.label)).toEqual(['unigram alpha=0.5']);
  });

  it('shards split the grid deterministically and merge into what one run gives', async () => {
    const exp = experimentFile(TINY);
    const [whole, s1, s2, merged] = [tmp(), tmp(), tmp(), tmp()];
    await runExperiment(exp, { outDir: whole });
    const a = await runExperiment(exp, { outDir: s1, shard: { k: 1, n: 2 } });
    const b = await runExperiment(exp, { outDir: s2, shard: { k: 2, n: 2 } });
    expect(a.ran + b.ran).toBe(4);
    const ids1 = readResults(s1).rows.map((r) => r.id);
    const ids2 = readResults(s2).rows.map((r) => r.id);
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    expect(ids1).toEqual(
      expandGrid(exp)
        .filter((c) => c.index % 2 === 0)
        .map((c) => c.id),
    );

    expect(mergeResults([s2, s1], merged)).toEqual({ rows: 4, failed: 0, conflicts: [] });
    expect(readResults(merged).rows.map(stable)).toEqual(readResults(whole).rows.map(stable));
    for (const r of readResults(merged).rows) expect(readRunTokens(merged, r.id, r.testTokens!)).toBeInstanceOf(Float32Array);
  });
});

function readResultsFromText(text: string): ResultRow[] {
  const dir = tmp();
  writeFileSync(join(dir, RESULTS_FILE), text);
  return readResults(dir).rows;
}

describe('results.csv', () => {
  it('round-trips awkward values and checks its header', () => {
    const dir = tmp();
    writeFileSync(join(dir, RESULTS_FILE), 'experiment,cell,id\nx,0,a\n');
    expect(() => readResults(dir)).toThrow(UserError);
    expect(() => readResults(dir)).toThrow(/unexpected header .*missing columns status, error/);
  });
});
