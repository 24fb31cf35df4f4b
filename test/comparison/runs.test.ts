import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { RunLoader, readComparableRows, sentenceCharactersOf, splitUnits } from '../../harness/comparison/runs.ts';
import { checkSamePredictions, predictedSameTokens, scoredSameText } from '../../harness/comparison/same-tokens.ts';
import { findRun, findRuns, selectGroups } from '../../harness/comparison/select.ts';
import { sentenceLengths } from '../../harness/statistics/bootstrap.ts';
import { UserError } from '../../errors/user-error.ts';
import { textCorpus, writeComparisonFolder } from './fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-compare-runs-'));
const small = textCorpus({ seed: 1, sentences: 40 });
const other = textCorpus({ seed: 2, sentences: 40 });
const rare = textCorpus({ seed: 1, sentences: 40, minCount: 3 });
const lp = (k: number) => (_t: number, target: number) => -1 - 0.01 * k - 0.001 * target;

beforeAll(() => {
  writeComparisonFolder(dir, { small, other, rare }, [
    { id: 'a-1', label: 'ngram order=2', corpusId: 'small', logProb: lp(1) },
    ...[1, 2, 3].map((seed) => ({ id: `gru-${seed}`, label: 'gru', corpusId: 'small', seed, logProb: lp(seed) })),
    { id: 'gru-stream', label: 'gru', corpusId: 'other', mode: 'stream' as const, logProb: lp(4) },
    { id: 'rare-1', label: 'ngram rare', corpusId: 'rare', logProb: lp(5) },
  ]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('picking runs by id or label', () => {
  it('finds a run by id, every run of a label, and groups seeds of one configuration', () => {
    const rows = readComparableRows(dir);
    expect(findRuns(rows, 'gru-2', dir).map((r) => r.id)).toEqual(['gru-2']);
    expect(findRuns(rows, 'gru', dir).map((r) => r.id)).toEqual(['gru-1', 'gru-2', 'gru-3', 'gru-stream']);
    const groups = selectGroups(rows, ['gru', 'a-1'], dir);
    expect(groups.map((g) => g.runs.map((r) => r.id))).toEqual([['gru-1', 'gru-2', 'gru-3'], ['gru-stream'], ['a-1']]);
    expect(selectGroups(rows, [], dir)).toHaveLength(4);
  });

  it('names the labels there for an unknown name, and the runs of a label that names several', () => {
    const rows = readComparableRows(dir);
    expect(() => findRuns(rows, 'lstm', dir)).toThrow(UserError);
    expect(() => findRuns(rows, 'lstm', dir)).toThrow(
      `no run with id or label "lstm" in ${dir}: the runs there are labelled "ngram order=2", "gru", "ngram rare"`,
    );
    const seeds = rows.filter((r) => r.corpusId === 'small');
    expect(() => findRun(seeds, 'gru', dir)).toThrow(
      /"gru" names 3 seeds of gru \(small, sentence\) in .*; name one by id: gru-1 \(gru \(small, sentence\), seed 1\), gru-2/,
    );
    expect(() => findRun(rows, 'gru', dir)).toThrow(/"gru" names 4 runs of 2 configurations/);
    expect(findRun(rows, 'gru-stream', dir).mode).toBe('stream');
  });

  it('says there are no results in a folder without results.csv', () => {
    const empty = mkdtempSync(join(tmpdir(), 'pb-compare-empty-'));
    try {
      expect(() => readComparableRows(empty)).toThrow(/results\.csv: no results; run an experiment first/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('loading runs and checking they predicted the same tokens', () => {
  it('loads both splits and cuts them into the units the bootstrap resamples', () => {
    const rows = readComparableRows(dir);
    const loader = new RunLoader(dir);
    const run = loader.load(findRun(rows, 'a-1', dir), 'valid');
    const encoded = encodeCorpus(small);
    expect([...splitUnits(run).sentenceLengths]).toEqual([...sentenceLengths(encoded.valid)]);
    expect(splitUnits(run).block).toBe(1);
    expect(run.logProbs[0]).toBeCloseTo(-1.01 - 0.001 * run.targets[0]!, 6);
    // Stream mode: blocks of ⌈40^(1/3)⌉ = 4 sentences, 10 units.
    const stream = splitUnits(loader.load(findRun(rows, 'gru-stream', dir), 'test'));
    expect(stream.block).toBe(4);
    expect(stream.tokens).toHaveLength(10);
    expect(stream.tokens.reduce((s, n) => s + n, 0)).toBe(stream.sentenceLengths.reduce((s, n) => s + n, 0));
    expect(sentenceCharactersOf(run)).toHaveLength(40);
  });

  it('accepts runs on one corpus and protocol, and says what differs otherwise', () => {
    const rows = readComparableRows(dir);
    const loader = new RunLoader(dir);
    const [a, g1, g2, stream, rareRun] = ['a-1', 'gru-1', 'gru-2', 'gru-stream', 'rare-1'].map((n) => loader.load(findRun(rows, n, dir), 'test'));
    expect(() => checkSamePredictions([a!, g1!, g2!])).not.toThrow();
    expect(() => checkSamePredictions([a!, stream!])).toThrow(
      /^ngram order=2 \(small, sentence\) \(small, \d+ tokens\) and gru \(other, stream\) \(other, \d+ tokens\) did not predict the same tokens: their corpus and protocol differ$/,
    );
    // The same text with another vocabulary (min count 3): the same text, not the same tokens.
    expect(predictedSameTokens(a!, rareRun!)).toBe(false);
    expect(scoredSameText(a!, rareRun!)).toBe(true);
    expect(() => checkSamePredictions([a!, rareRun!])).toThrow(/their vocabulary or tokenisation differ/);
  });

  it('names the run and the file when its per-token file is missing', () => {
    const rows = readComparableRows(dir);
    const loader = new RunLoader(dir);
    const ghost = { ...findRun(rows, 'a-1', dir), id: 'ghost' };
    expect(() => loader.load(ghost, 'test')).toThrow(/ngram order=2 \(small, sentence\), run ghost: .*ghost\.test\.f32 is missing/);
  });
});
