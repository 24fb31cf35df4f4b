import { earlierContext, earlierFamilyLabel } from '../../harness/experiment/earlier-rows.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCorpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { NO_MEASUREMENTS, writeResults, type CurveRow, type ResultRow } from '../../harness/experiment/results.ts';
import { vocabularySource } from '../../harness/experiment/corpus.ts';
import { predictedTargets, writeCorpusTokens, writeRunTokens } from '../../harness/experiment/token-files.ts';

/** A run of the fixture: what differs between the families' rows. */
interface FixtureRun {
  model: string;
  family: string;
  label: string;
  hp: Record<string, unknown>;
  testPerplexity: number;
  parameters: number;
  curve?: number[];
  /** Log-probability of the target at index i of the test split. */
  logProb: (i: number, position: number) => number;
}

export const FIXTURE_CORPUS_ID = 'ship-fixture';

/**
 * A results folder as an experiment over every family would leave it, made without training: the report
 * reads only the folder, so its charts can be checked on all the shapes of data at once (sweeps, curves,
 * an infinite perplexity, unbounded context). The per-token data are those of the real `ship` corpus.
 */
export function writeFixtureResults(dir = mkdtempSync(join(tmpdir(), 'pb-report-'))): { dir: string; corpus: EncodedCorpus; runs: FixtureRun[] } {
  const text = toyCorpus('ship');
  const corpus = encodeCorpus(text);
  writeCorpusTokens(dir, FIXTURE_CORPUS_ID, corpus, text, vocabularySource(text));
  const base = (k: number) => (_i: number, position: number) => -(1 + 0.1 * k + 0.01 * (position % 7));
  const runs: FixtureRun[] = [
    ...[1, 2, 3, 4].map((order) => ({
      model: 'ngram',
      family: 'ngram',
      label: `ngram order=${order} smoothing=kn`,
      hp: { order, smoothing: 'kn' },
      testPerplexity: 20 - order,
      parameters: 30 * order ** 2,
      logProb: base(order),
    })),
    {
      model: 'ngram',
      family: 'ngram',
      label: 'ngram order=3 smoothing=mle',
      hp: { order: 3, smoothing: 'mle' },
      testPerplexity: Infinity,
      parameters: 200,
      logProb: (i: number, position: number) => (i === 0 ? -Infinity : base(5)(i, position)),
    },
    // A fixed point of another entry: one value of the order, so no line of the order sweep.
    {
      model: 'ngram',
      family: 'ngram',
      label: 'ngram order=3 smoothing=add-k',
      hp: { order: 3, smoothing: 'add-k' },
      testPerplexity: 40,
      parameters: 200,
      logProb: base(15),
    },
    ...[3, 5].map((n) => ({
      model: 'window',
      family: 'window',
      label: `window n=${n}`,
      hp: { n, h: 8 },
      testPerplexity: 16 - n / 2,
      parameters: 500 + 100 * n,
      curve: [30, 20, 16 - n / 2],
      logProb: base(6 + n),
    })),
    ...[16, 32].map((hidden) => ({
      model: 'rnn',
      family: 'recurrent',
      label: `rnn hidden=${hidden}`,
      hp: { hidden },
      testPerplexity: 14 - hidden / 16,
      parameters: 2000 + hidden * 50,
      curve: [25, 18, 14 - hidden / 16],
      logProb: base(20 + hidden / 16),
    })),
    { model: 'lstm', family: 'recurrent', label: 'lstm', hp: { hidden: 32 }, testPerplexity: 11, parameters: 9000, curve: [22, 15, 11], logProb: base(30) },
  ];
  const targets = predictedTargets(corpus.test);
  const rows: ResultRow[] = [];
  const curves: CurveRow[] = [];
  runs.forEach((r, cell) => {
    const id = `${r.model}-${String(cell).padStart(12, '0')}`;
    const lp = new Float64Array(targets.length);
    let position = 0;
    for (let i = 0; i < lp.length; i++) {
      lp[i] = r.logProb(i, position);
      position = targets[i] === 2 ? 0 : position + 1;
    }
    writeRunTokens(dir, id, lp);
    rows.push({
      // Intervals and characters empty, as in a results.csv from before them: the report must show such rows too.
      ...NO_MEASUREMENTS,
      experiment: 'fixture',
      cell,
      id,
      status: 'ok',
      error: '',
      corpus: 'ship',
      corpusId: FIXTURE_CORPUS_ID,
      model: r.model,
      family: r.family,
      familyLabel: earlierFamilyLabel(r.family),
      contextLength: earlierContext(r.family, JSON.stringify(r.hp)).length,
      contextParameter: earlierContext(r.family, JSON.stringify(r.hp)).parameter,
      label: r.label,
      hyperParameters: JSON.stringify(r.hp),
      seed: 1,
      mode: 'sentence',
      budget: '{}',
      validPerplexity: r.testPerplexity * 1.01,
      testPerplexity: r.testPerplexity,
      testPerplexityWithoutUnk: r.testPerplexity,
      validTokens: targets.length,
      testTokens: targets.length,
      validUnk: 0,
      testUnk: 0,
      vocabSize: corpus.vocab.size,
      trainTokens: targets.length * (r.curve?.length ?? 1),
      parameters: r.parameters,
      modelBytes: r.parameters * 4,
      baselineRssBytes: 90 * 2 ** 20,
      peakRssBytes: (100 + cell) * 2 ** 20,
      trainSeconds: 0.01 * (cell + 1) ** 2,
      trainTokensPerSecond: 1e6 / (cell + 1) ** 2,
      scoringTokensPerSecond: 2e6 / (cell + 1),
      epochs: r.curve?.length ?? 0,
      bestEpoch: r.curve ? r.curve.length : null,
      stoppedBy: r.curve ? 'epochs' : 'done',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      nodeVersion: 'v20.20.2',
      cpuModel: 'Test CPU',
      kernels: 'simd',
      date: '2026-01-01T00:00:00.000Z',
    });
    r.curve?.forEach((ppl, e) => {
      curves.push({
        id,
        epoch: e + 1,
        tokensSeen: (e + 1) * targets.length,
        seconds: e + 1,
        trainLoss: Math.log(ppl) + 0.1,
        validPerplexity: ppl,
        learningRate: 0.1,
      });
    });
  });
  rows.push({
    ...rows[0]!,
    cell: runs.length,
    id: 'gru-failed',
    model: 'gru',
    family: 'recurrent',
    label: 'gru',
    status: 'failed',
    error: 'RangeError: "bad", really',
    ...NO_MEASUREMENTS,
    // A failed run keeps what it knew before it failed.
    baselineRssBytes: rows[0]!.baselineRssBytes,
    validTokens: rows[0]!.validTokens,
    testTokens: rows[0]!.testTokens,
    validUnk: rows[0]!.validUnk,
    testUnk: rows[0]!.testUnk,
    vocabSize: rows[0]!.vocabSize,
    trainTokens: rows[0]!.trainTokens,
  });
  writeResults(dir, { rows, curves });
  return { dir, corpus, runs };
}
