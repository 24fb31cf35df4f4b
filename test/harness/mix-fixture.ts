import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { type Corpus, encodeCorpus } from '../../corpora/corpus.ts';
import { vocabularySource } from '../../harness/experiment/corpus.ts';
import { type ResultRow, writeResults } from '../../harness/experiment/results.ts';
import { writeCorpusTokens, writeRunTokens } from '../../harness/experiment/token-files.ts';

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
export const TOKENS = 8;

/** Another corpus: one sentence of two words, 3 predicted tokens a split. */
const OTHER: Corpus = { ...CORPUS, name: 'other', valid: [['a', 'b']], test: [['a', 'b']] };
export const CHARACTERS = 12;

export function mixRow(id: string, label: string, ppl: number, extra: Partial<ResultRow> = {}): ResultRow {
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
    storedNgrams: null,
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
    kernels: 'simd',
    date: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

/**
 * A results folder with two runs on the same 8 tokens: "first" gives 0.9 to the first half of each split's tokens
 * and 0.1 to the rest, "second" the other way round; "other" is on another corpus; `extra` rows are added (with the
 * per-token files of "first" for an n-gram, of "second" otherwise).
 */
export function mixFolder(dir: string, extra: readonly ResultRow[] = []): string {
  writeCorpusTokens(dir, 'ab-1', encodeCorpus(CORPUS), CORPUS, vocabularySource(CORPUS));
  writeCorpusTokens(dir, 'ab-2', encodeCorpus(OTHER), OTHER, vocabularySource(OTHER));
  const half = (good: boolean) => Float64Array.from({ length: TOKENS }, (_, t) => Math.log(t < TOKENS / 2 === good ? 0.9 : 0.1));
  for (const split of ['valid', 'test'] as const) {
    writeRunTokens(dir, 'ngram-1', half(true), split);
    writeRunTokens(dir, 'rnn-2', half(false), split);
    writeRunTokens(dir, 'rnn-3', Float64Array.from([-1, -1, -1]), split);
    // More runs: the n-grams right on the first half, the others on the second.
    for (const r of extra) writeRunTokens(dir, r.id, half(r.model === 'ngram'), split);
  }
  const ppl = 10 / 3; // exp(−(ln 0.9 + ln 0.1) / 2) = 1 / √0.09
  writeResults(dir, {
    rows: [
      mixRow('ngram-1', 'first', ppl),
      mixRow('rnn-2', 'second', ppl, { parameters: 50, modelBytes: 200 }),
      mixRow('rnn-3', 'other', ppl, { corpusId: 'ab-2' }),
      ...extra,
    ],
    curves: [],
  });
  return dir;
}

/** A maker of temporary folders, each removed after the test file's tests. */
export function temporaryFolders(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
