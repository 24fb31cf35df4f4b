import type { EncodedCorpus } from '../corpora/corpus.ts';
import type { Budget, LanguageModel, ProgressEvent, Protocol, TrainReport } from '../models/types.ts';
import { evaluate } from './metrics.ts';

export interface TrainRequest {
  readonly seed: number;
  readonly mode: Protocol;
  readonly budget?: Budget;
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface HarnessTrainReport extends TrainReport {
  /** Seconds spent in `validate` (scoring the valid split between epochs), part of the model's training time. */
  readonly validateSeconds: number;
}

/**
 * Train a model on a corpus's train split. The model gets the valid split and a `validate` callback that
 * measures perplexity with the shared protocol, so early stopping uses the same numbers the reports show.
 * The harness times those calls, so that training throughput can leave them out, and reports each result
 * through `onProgress` (an event with `validPerplexity`), so a long run shows its learning curve as it goes.
 */
export async function trainModel(model: LanguageModel, corpus: EncodedCorpus, request: TrainRequest): Promise<HarnessTrainReport> {
  let validateSeconds = 0;
  let validations = 0;
  const report = await model.train(
    { vocab: corpus.vocab, train: corpus.train, valid: corpus.valid, mode: request.mode },
    {
      seed: request.seed,
      budget: request.budget,
      onProgress: request.onProgress,
      validate: (scorer) => {
        const start = performance.now();
        const phase = `validation ${validations + 1}`;
        const onProgress = (e: ProgressEvent): void => request.onProgress?.({ ...e, phase });
        const perplexity = evaluate(scorer, corpus.valid, { mode: request.mode, level: corpus.level, onProgress }).perplexity;
        validateSeconds += (performance.now() - start) / 1000;
        validations++;
        request.onProgress?.({ phase, done: validations, unit: 'validations', validPerplexity: perplexity });
        return perplexity;
      },
    },
  );
  return { ...report, validateSeconds };
}

/** Training tokens per second of pure training: the valid-split evaluations between epochs left out. */
export function trainingThroughput(report: HarnessTrainReport, seconds: number): number | null {
  const training = seconds - report.validateSeconds;
  return training > 0 ? report.tokensTrained / training : null;
}
