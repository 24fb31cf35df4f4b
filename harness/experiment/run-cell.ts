import { encodeCorpus, predictedTokens } from '../../corpora/corpus.ts';
import { loadPlugins } from '../plugin-loader.ts';
import type { ProgressEvent } from '../../models/types.ts';
import { maxRssBytes, trainAndMeasure } from '../measure.ts';
import { assertSoundModel } from '../sound-model.ts';
import { bootstrapSplit } from '../statistics/bootstrap.ts';
import { loadExperimentCorpus, vocabularySource } from './corpus.ts';
import type { CellRequest, CellResult } from './messages.ts';
import { writeCorpusTokens, writeRunTokens } from './token-files.ts';

/** Progress at most five times a second (and at every change of phase), so IPC never slows training. */
function throttled(report: (event: ProgressEvent) => void): (event: ProgressEvent) => void {
  let last = 0;
  let phase = '';
  return (event) => {
    const now = performance.now();
    if (event.validPerplexity === undefined && event.phase === phase && now - last < 200 && event.done !== event.total) return;
    last = now;
    phase = event.phase;
    report(event);
  };
}

/**
 * One run: load the corpus, train the model, score valid and test by the shared protocol, keep both splits'
 * per-token log-probabilities under `outDir`, bootstrap their perplexities' intervals, and return the measurements.
 */
export async function runCell({ cell, outDir, plugins }: CellRequest, onProgress: (event: ProgressEvent) => void): Promise<CellResult> {
  const registry = await loadPlugins(plugins, cell.baseDir);
  const text = loadExperimentCorpus(cell.corpus, cell.baseDir);
  const corpus = encodeCorpus(text);
  writeCorpusTokens(outDir, cell.corpusId, corpus, text, vocabularySource(text));
  const baselineRssBytes = maxRssBytes();

  const model = registry.find(cell.plugin).create(cell.hyperParameters, corpus.vocab);
  const perToken = new Float64Array(predictedTokens(corpus.test));
  const validPerToken = new Float64Array(predictedTokens(corpus.valid));
  const measured = await trainAndMeasure(model, corpus, {
    seed: cell.seed,
    mode: cell.mode,
    budget: cell.budget,
    onProgress: throttled(onProgress),
    testPerToken: perToken,
    validPerToken,
  });
  const { report, valid } = measured;
  const test = measured.test!;
  // A diverged network already failed in training; a model with NaN anywhere fails here, never as a result.
  assertSoundModel(model, { valid, test });
  writeRunTokens(outDir, cell.id, perToken);
  writeRunTokens(outDir, cell.id, validPerToken, 'valid');
  const resampling = { mode: cell.mode, ...(cell.resamples !== undefined ? { resamples: cell.resamples } : {}) };
  const validInterval = bootstrapSplit(corpus.valid, validPerToken, resampling);
  const testInterval = bootstrapSplit(corpus.test, perToken, resampling);

  return {
    corpus: corpus.name,
    vocabSize: corpus.vocab.size,
    trainTokens: report.tokensTrained,
    validPerplexity: valid.perplexity,
    testPerplexity: test.perplexity,
    testPerplexityWithoutUnk: test.perplexityWithoutUnk,
    validPerplexityLow: validInterval.low,
    validPerplexityHigh: validInterval.high,
    testPerplexityLow: testInterval.low,
    testPerplexityHigh: testInterval.high,
    validBitsPerCharacter: valid.bitsPerCharacter,
    testBitsPerCharacter: test.bitsPerCharacter,
    validCharacters: valid.characters,
    testCharacters: test.characters,
    validTokens: valid.tokens,
    testTokens: test.tokens,
    validUnk: valid.unk,
    testUnk: test.unk,
    parameters: model.parameterCount(),
    modelBytes: model.byteSize(),
    storedNgrams: model.ngramCount?.() ?? null,
    baselineRssBytes,
    peakRssBytes: measured.peakRssBytes,
    trainSeconds: measured.trainSeconds,
    trainTokensPerSecond: measured.trainTokensPerSecond,
    scoringTokensPerSecond: measured.scoringTokensPerSecond,
    epochs: report.epochs,
    bestEpoch: report.bestEpoch ?? null,
    stoppedBy: report.stoppedBy,
  };
}
