import { encodeCorpus } from '../../corpora/corpus.ts';
import { loadPlugins } from '../plugin-loader.ts';
import type { ProgressEvent } from '../../models/types.ts';
import { evaluate } from '../metrics.ts';
import { assertSoundModel } from '../sound-model.ts';
import { trainingThroughput, trainModel } from '../train.ts';
import { loadExperimentCorpus, vocabularySource } from './corpus.ts';
import type { CellRequest, CellResult } from './messages.ts';
import { writeCorpusTokens, writeRunTokens } from './token-files.ts';

/** The process's peak resident set so far, in bytes (Node reports kilobytes). */
const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

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
 * One run: load the corpus, train the model, score valid and test by the shared protocol, keep the test
 * split's per-token log-probabilities under `outDir`, and return the measurements.
 */
export async function runCell({ cell, outDir, plugins }: CellRequest, onProgress: (event: ProgressEvent) => void): Promise<CellResult> {
  const registry = await loadPlugins(plugins, cell.baseDir);
  const text = loadExperimentCorpus(cell.corpus, cell.baseDir);
  const corpus = encodeCorpus(text);
  writeCorpusTokens(outDir, cell.corpusId, corpus, vocabularySource(text));
  const baselineRssBytes = maxRssBytes();

  const model = registry.find(cell.plugin).create(cell.hyperParameters, corpus.vocab);
  const progress = throttled(onProgress);
  const trainStart = performance.now();
  const report = await trainModel(model, corpus, {
    seed: cell.seed,
    mode: cell.mode,
    budget: cell.budget,
    onProgress: progress,
  });
  const trainSeconds = (performance.now() - trainStart) / 1000;

  const scoring = (phase: string) => (event: ProgressEvent) => progress({ ...event, phase });
  const valid = evaluate(model.scorer(), corpus.valid, { mode: cell.mode, level: corpus.level, onProgress: scoring('scoring valid') });
  const perToken = new Float64Array(corpus.test.tokens.length + corpus.test.starts.length - 1);
  const scoreStart = performance.now();
  const test = evaluate(model.scorer(), corpus.test, { mode: cell.mode, level: corpus.level, perToken, onProgress: scoring('scoring test') });
  const scoreSeconds = (performance.now() - scoreStart) / 1000;
  // A diverged network already failed in training; a model with NaN anywhere fails here, never as a result.
  assertSoundModel(model, { valid, test });
  writeRunTokens(outDir, cell.id, perToken);

  return {
    corpus: corpus.name,
    vocabSize: corpus.vocab.size,
    trainTokens: report.tokensTrained,
    validPerplexity: valid.perplexity,
    testPerplexity: test.perplexity,
    testPerplexityWithoutUnk: test.perplexityWithoutUnk,
    validTokens: valid.tokens,
    testTokens: test.tokens,
    validUnk: valid.unk,
    testUnk: test.unk,
    parameters: model.parameterCount(),
    modelBytes: model.byteSize(),
    baselineRssBytes,
    peakRssBytes: maxRssBytes(),
    trainSeconds,
    trainTokensPerSecond: trainingThroughput(report, trainSeconds),
    scoringTokensPerSecond: test.tokens / Math.max(scoreSeconds, 1e-9),
    epochs: report.epochs,
    bestEpoch: report.bestEpoch ?? null,
    stoppedBy: report.stoppedBy,
  };
}
