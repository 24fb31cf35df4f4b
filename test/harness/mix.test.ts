import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Corpus, encodeCorpus } from '../../corpora/corpus.ts';
import { mixCommand } from '../../harness/commands/mix.ts';
import { vocabularySource } from '../../harness/experiment/corpus.ts';
import { readResults, type ResultRow, writeResults } from '../../harness/experiment/results.ts';
import { readRunTokens, writeCorpusTokens, writeRunTokens } from '../../harness/experiment/token-files.ts';
import { mixtureId } from '../../harness/mixture/mix.ts';
import { cliInProcess } from './cli-in-process.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'pb-mix-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Two sentences of three words each split: 8 predicted tokens (each sentence's words and its `</s>`). */
const CORPUS: Corpus = {
  name: 'ab',
  level: 'word',
  train: [
    ['a', 'b', 'a'],
    ['b', 'a', 'b'],
  ],
  valid: [
    ['a', 'b', 'a'],
    ['b', 'a', 'b'],
  ],
  test: [
    ['a', 'b', 'a'],
    ['b', 'a', 'b'],
  ],
  minCount: 1,
  source: 'test',
};
const TOKENS = 8;
const CHARACTERS = 12;

function row(id: string, label: string, ppl: number, extra: Partial<ResultRow> = {}): ResultRow {
  return {
    experiment: 'e',
    cell: Number(id.replace(/\D/g, '') || 0),
    id,
    status: 'ok',
    error: '',
    corpus: 'ab',
    corpusId: 'ab-1',
    model: id.replace(/-.*/, ''),
    family: id.replace(/-.*/, ''),
    familyLabel: id.replace(/-.*/, ''),
    contextLength: 2,
    contextParameter: '',
    label,
    hyperParameters: '{}',
    seed: 1,
    mode: 'sentence',
    budget: '{}',
    validPerplexity: ppl,
    testPerplexity: ppl,
    testPerplexityWithoutUnk: ppl,
    validPerplexityLow: ppl,
    validPerplexityHigh: ppl,
    testPerplexityLow: ppl,
    testPerplexityHigh: ppl,
    validBitsPerCharacter: 1,
    testBitsPerCharacter: 1,
    validCharacters: CHARACTERS,
    testCharacters: CHARACTERS,
    validTokens: TOKENS,
    testTokens: TOKENS,
    validUnk: 0,
    testUnk: 0,
    vocabSize: 5,
    trainTokens: TOKENS,
    parameters: 100,
    modelBytes: 400,
    baselineRssBytes: 1,
    peakRssBytes: 2,
    trainSeconds: 1.5,
    trainTokensPerSecond: 5,
    scoringTokensPerSecond: 5,
    epochs: 1,
    bestEpoch: 1,
    stoppedBy: 'epochs',
    gitCommit: 'x',
    nodeVersion: 'v',
    cpuModel: 'c',
    date: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

/**
 * A results folder with two runs on the same 8 tokens: "first" gives 0.9 to the first half of each split's tokens
 * and 0.1 to the rest, "second" the other way round; "other" is on another corpus.
 */
function folder(): string {
  const dir = tmp();
  writeCorpusTokens(dir, 'ab-1', encodeCorpus(CORPUS), CORPUS, vocabularySource(CORPUS));
  const half = (good: boolean) => Float64Array.from({ length: TOKENS }, (_, t) => Math.log(t < TOKENS / 2 === good ? 0.9 : 0.1));
  for (const split of ['valid', 'test'] as const) {
    writeRunTokens(dir, 'ngram-1', half(true), split);
    writeRunTokens(dir, 'rnn-2', half(false), split);
    writeRunTokens(dir, 'rnn-3', half(false), split);
  }
  const ppl = 10 / 3; // exp(−(ln 0.9 + ln 0.1) / 2) = 1 / √0.09
  writeResults(dir, {
    rows: [row('ngram-1', 'first', ppl), row('rnn-2', 'second', ppl, { parameters: 50, modelBytes: 200 }), row('rnn-3', 'other', ppl, { corpusId: 'ab-2' })],
    curves: [],
  });
  return dir;
}

function capture(): { io: Parameters<typeof mixCommand>[1]; out: () => string } {
  const chunks: string[] = [];
  const io = { stdout: { write: (c: string) => chunks.push(c) > 0 }, stderr: { write: () => true } } as unknown as Parameters<typeof mixCommand>[1];
  return { io, out: () => chunks.join('') };
}

describe('mix', () => {
  it('finds weights of ½ for two runs each right on half the tokens, and the mixture perplexity of 2 (p = ½ on every token)', async () => {
    const dir = folder();
    const { io, out } = capture();
    expect(await mixCommand({ runs: ['first', 'rnn-2'], out: dir, json: true, resamples: 200 }, io)).toBe(0);
    const json = JSON.parse(out()) as Record<string, unknown> & { weights: number[]; components: { test: { perplexity: number } }[] };
    expect(json.weights[0]).toBeCloseTo(0.5, 12);
    expect(json.weights[1]).toBeCloseTo(0.5, 12);
    // The per-token files are float32: 0.9 and 0.1 to 7 digits.
    expect(json.validPerplexity).toBeCloseTo(2, 7);
    expect(json.testPerplexity).toBeCloseTo(2, 7);
    expect(json.components[0]!.test.perplexity).toBeCloseTo(10 / 3, 6);
    expect(json.testGain).toBeCloseTo(0.4, 6);
    expect(json.id).toBe(mixtureId(['ngram-1', 'rnn-2']));

    const mixed = readResults(dir).rows.find((r) => r.id === json.id)!;
    expect(mixed).toMatchObject({
      family: 'mixture',
      familyLabel: 'mixture',
      model: 'mixture',
      label: 'mix(first + second)',
      corpusId: 'ab-1',
      contextLength: null,
      parameters: 150,
      modelBytes: 600,
      trainSeconds: 3,
      testTokens: TOKENS,
      testCharacters: CHARACTERS,
      cell: 4,
    });
    expect(mixed.testBitsPerCharacter).toBeCloseTo((TOKENS * Math.log2(2)) / CHARACTERS, 7);
    expect(JSON.parse(mixed.hyperParameters)).toEqual({
      components: [
        { id: 'ngram-1', label: 'first', weight: json.weights[0] },
        { id: 'rnn-2', label: 'second', weight: json.weights[1] },
      ],
      tolerance: 1e-10,
    });
    // Its per-token file is ln Σ λ p: ln(½·0.9 + ½·0.1) = ln ½ on every token.
    const f32 = readRunTokens(dir, mixed.id, TOKENS, 'test');
    expect(typeof f32).not.toBe('string');
    for (const v of f32 as Float32Array) expect(v).toBeCloseTo(Math.log(0.5), 6);
    expect(readRunTokens(dir, mixed.id, TOKENS, 'valid')).toEqual(f32);
  });

  it('replaces its row when the same runs are mixed again, and the row round-trips', async () => {
    const dir = folder();
    await mixCommand({ runs: ['first', 'second'], out: dir, resamples: 200 }, capture().io);
    const before = readResults(dir).rows;
    const { io, out } = capture();
    await mixCommand({ runs: ['ngram-1', 'rnn-2'], out: dir, resamples: 200 }, io);
    const after = readResults(dir).rows;
    expect(after.length).toBe(4);
    expect(after.filter((r) => r.family === 'mixture').length).toBe(1);
    expect(after.find((r) => r.family === 'mixture')!.cell).toBe(before.find((r) => r.family === 'mixture')!.cell);
    writeResults(dir, readResults(dir));
    expect(readResults(dir).rows).toEqual(after);
    expect(out()).toMatch(/mixture of 2 runs on ab \(sentence\): EM weights on valid, 1 iteration to/);
    expect(out()).toMatch(/0\.5000 {2}3\.33 \[1\.11, 10\.00\]/);
    expect(out()).toMatch(/test perplexity 2\.00 against 3\.33 of the best component \(first\): 40\.0% lower/);
  });

  it('refuses runs that did not predict the same tokens, naming what differs, with exit code 2', async () => {
    const dir = folder();
    const r = await cliInProcess('mix', 'first', 'other', '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: mixture of ngram-1, rnn-3: first \(ngram-1\) and other \(rnn-3\) did not predict the same tokens: corpus ab-1 against ab-2/,
    );
  });

  it('says what is wrong with the runs named', async () => {
    const dir = folder();
    expect((await cliInProcess('mix', 'first', '--out', dir)).stderr).toMatch(/error: mix needs at least two runs/);
    const unknown = await cliInProcess('mix', 'first', 'nope', '--out', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: no run "nope" in .*results\.csv/);
    expect((await cliInProcess('mix', 'first', 'ngram-1', '--out', dir)).stderr).toMatch(/a run is named twice/);
    expect((await cliInProcess('mix', 'first', 'second', '--out', dir, '--tolerance', '-1')).stderr).toMatch(/--tolerance must be a number ≥ 0/);
    expect((await cliInProcess('mix', 'a', 'b', '--out', tmp())).stderr).toMatch(/no runs to mix/);
  });
});
