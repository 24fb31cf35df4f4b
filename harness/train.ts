import type { EncodedCorpus } from '../corpora/corpus.ts';
import type { Budget, LanguageModel, ProgressEvent, Protocol, TrainReport } from '../models/types.ts';
import { evaluate } from './metrics.ts';

export interface TrainRequest {
  readonly seed: number;
  readonly mode: Protocol;
  readonly budget?: Budget;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * Train a model on a corpus's train split. The model gets the valid split and a `validate` callback that
 * measures perplexity with the shared protocol, so early stopping uses the same numbers the reports show.
 */
export function trainModel(model: LanguageModel, corpus: EncodedCorpus, request: TrainRequest): Promise<TrainReport> {
  return model.train(
    { vocab: corpus.vocab, train: corpus.train, valid: corpus.valid, mode: request.mode },
    {
      seed: request.seed,
      budget: request.budget,
      onProgress: request.onProgress,
      validate: (scorer) => evaluate(scorer, corpus.valid, { mode: request.mode, level: corpus.level }).perplexity,
    },
  );
}
