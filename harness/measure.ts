import type { EncodedCorpus } from '../corpora/corpus.ts';
import type { LanguageModel, ProgressEvent } from '../models/types.ts';
import { evaluate, type Metrics } from './metrics.ts';
import { trainingThroughput, trainModel, type HarnessTrainReport, type TrainRequest } from './train.ts';

/** The process's peak resident set so far, in bytes (Node reports kilobytes). */
export const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

export interface Measurement {
  readonly report: HarnessTrainReport;
  readonly valid: Metrics;
  /** Only when asked for (`perToken` given). */
  readonly test?: Metrics;
  /** Wall-clock seconds of `train`, the validations between epochs included. */
  readonly trainSeconds: number;
  /** Tokens per second of pure training (the validations left out); null if too fast to time. */
  readonly trainTokensPerSecond: number | null;
  /** Predicted tokens of the valid split per second of scoring it, after training (the same split for every command). */
  readonly scoringTokensPerSecond: number;
  /** Peak resident set of the process after training and scoring. */
  readonly peakRssBytes: number;
}

export interface MeasureRequest extends TrainRequest {
  /** Also score the test split, its per-token log-probabilities written here (length ≥ its predicted tokens). */
  readonly testPerToken?: Float64Array;
  /** If given, receives the valid split's per-token log-probabilities (length ≥ its predicted tokens). */
  readonly validPerToken?: Float64Array;
}

/**
 * Train a model and measure it, the one way `train` and `run` both do: training time and pure-training
 * throughput, the valid split's metrics and scoring throughput (timed on valid, which every command scores),
 * the test split's metrics when asked for, and the peak memory.
 */
export async function trainAndMeasure(model: LanguageModel, corpus: EncodedCorpus, request: MeasureRequest): Promise<Measurement> {
  const trainStart = performance.now();
  const report = await trainModel(model, corpus, request);
  const trainSeconds = (performance.now() - trainStart) / 1000;
  const scoring = (phase: string) => (event: ProgressEvent) => request.onProgress?.({ ...event, phase });
  const protocol = { mode: request.mode, level: corpus.level };
  const scoreStart = performance.now();
  const validPerToken = request.validPerToken ? { perToken: request.validPerToken } : {};
  const valid = evaluate(model.scorer(), corpus.valid, { ...protocol, ...validPerToken, onProgress: scoring('scoring valid') });
  const scoreSeconds = (performance.now() - scoreStart) / 1000;
  const perToken = request.testPerToken;
  const test = perToken ? evaluate(model.scorer(), corpus.test, { ...protocol, perToken, onProgress: scoring('scoring test') }) : undefined;
  return {
    report,
    valid,
    ...(test ? { test } : {}),
    trainSeconds,
    trainTokensPerSecond: trainingThroughput(report, trainSeconds),
    scoringTokensPerSecond: valid.tokens / Math.max(scoreSeconds, 1e-9),
    peakRssBytes: maxRssBytes(),
  };
}
