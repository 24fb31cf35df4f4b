import { BOS_ID, EOS_ID, type Vocabulary } from '../../corpora/vocabulary.ts';
import { predictedTokens } from '../../corpora/corpus.ts';
import type { CheckpointData } from '../checkpoint.ts';
import type { LanguageModel, Scorer, TrainingData, TrainOptions, TrainReport } from '../types.ts';

export interface UnigramHyperParameters extends Record<string, unknown> {
  /** Add-α smoothing: P(w) = (c(w) + α) / (N + α·|V′|), V′ = every id but `<s>`, which is never predicted. */
  alpha: number;
}

/**
 * The smallest plug-in: a context-free add-α unigram model. It shows the whole pattern a model follows
 * (train, scorer, sizes, checkpoint) in a few lines, and the conformance kit runs on it like any other.
 */
export class UnigramModel implements LanguageModel {
  readonly plugin = 'unigram';
  private logProbs: Float64Array;

  constructor(
    readonly hyperParameters: UnigramHyperParameters,
    readonly vocab: Vocabulary,
    logProbs?: Float64Array,
  ) {
    this.logProbs = logProbs ?? this.estimate(new Float64Array(vocab.size), 0);
  }

  private estimate(counts: Float64Array, total: number): Float64Array {
    const { alpha } = this.hyperParameters;
    const out = new Float64Array(this.vocab.size);
    const denominator = total + alpha * (this.vocab.size - 1);
    for (let w = 0; w < out.length; w++) {
      out[w] = w === BOS_ID ? -Infinity : Math.log((counts[w]! + alpha) / denominator);
    }
    return out;
  }

  async train(data: TrainingData, options: TrainOptions): Promise<TrainReport> {
    const start = performance.now();
    const counts = new Float64Array(this.vocab.size);
    const tokens = data.train.tokens;
    for (let i = 0; i < tokens.length; i++) counts[tokens[i]!]!++;
    const sentences = data.train.starts.length - 1;
    counts[EOS_ID]! += sentences;
    const total = predictedTokens(data.train);
    options.onProgress?.({ phase: 'counting', done: total, total, unit: 'tokens' });
    this.logProbs = this.estimate(counts, total);
    return { tokensTrained: total, seconds: (performance.now() - start) / 1000, epochs: [], stoppedBy: 'done' };
  }

  scorer(): Scorer {
    const lp = this.logProbs;
    return {
      vocabSize: lp.length,
      reset() {},
      feed() {},
      logProb: (next) => lp[next]!,
      distribution(out) {
        for (let w = 0; w < lp.length; w++) out[w] = Math.exp(lp[w]!);
      },
    };
  }

  parameterCount(): number {
    return this.vocab.size;
  }

  byteSize(): number {
    return this.logProbs.byteLength;
  }

  toCheckpoint(): CheckpointData {
    return {
      plugin: this.plugin,
      hyperParameters: this.hyperParameters,
      vocabulary: this.vocab.words,
      meta: null,
      arrays: { logProbs: this.logProbs },
    };
  }
}
