import type { z } from 'zod';
import type { EncodedSplit } from '../corpora/corpus.ts';
import type { Vocabulary } from '../corpora/vocabulary.ts';
import type { CheckpointData } from './checkpoint.ts';

/**
 * How histories treat sentence boundaries.
 * - `sentence` (KenLM/SRILM): every sentence starts from `<s>`; words and the final `</s>` are predicted.
 * - `stream` (Bengio 2003, Mikolov's RNNLM): the split is one stream `w… </s> w… </s> …` that starts from `<s>`
 *   once; the history crosses sentence boundaries. The same tokens are predicted as in sentence mode.
 */
export type Protocol = 'sentence' | 'stream';

/**
 * A model family: an open name (`ngram`, `window`, `recurrent`, or any a plug-in brings). Runs of one family
 * share a colour in the report and a line in its legend.
 */
export type ModelFamily = string;

/**
 * How many words of history a model conditions on, as its plug-in states it: a count (an n-gram model of
 * order n: n − 1), `'unbounded'` (a recurrent state), or undefined when it has no such figure.
 */
export type ContextLength = number | 'unbounded' | undefined;

/** Limits on training; training stops at the first one reached. Count-based models ignore them. */
export interface Budget {
  epochs?: number;
  seconds?: number;
  tokens?: number;
}

export interface TrainingData {
  readonly vocab: Vocabulary;
  readonly train: EncodedSplit;
  /** For early stopping and learning-rate schedules (through `TrainOptions.validate`). */
  readonly valid: EncodedSplit;
  readonly mode: Protocol;
}

export interface ProgressEvent {
  /** What is going on: 'counting', 'adjusting', 'epoch 3', … */
  readonly phase: string;
  readonly done: number;
  readonly total?: number;
  readonly unit: string;
  readonly tokensPerSecond?: number;
  readonly loss?: number;
  /**
   * Set on the event the harness itself sends after each `validate` call (phase 'validation N'), so that a
   * long run shows its learning curve as it goes; plug-ins leave it out.
   */
  readonly validPerplexity?: number;
}

/** One point of a learning curve. */
export interface EpochRecord {
  readonly epoch: number;
  /** Training tokens seen since the start of training. */
  readonly tokensSeen: number;
  readonly seconds: number;
  /** Mean cross-entropy per token (nats) over the epoch. */
  readonly trainLoss: number;
  /** Valid perplexity by the shared protocol. */
  readonly validPerplexity: number;
  readonly learningRate?: number;
}

export interface TrainReport {
  readonly tokensTrained: number;
  readonly seconds: number;
  /** Learning curve; empty for count-based models. */
  readonly epochs: readonly EpochRecord[];
  /** The epoch whose parameters the model holds after training (early stopping), if any. */
  readonly bestEpoch?: number;
  /** 'done': the model's own end (its `maxEpochs`, or count-based training); 'epochs', 'seconds', 'tokens': the budget's. */
  readonly stoppedBy: 'done' | 'epochs' | 'seconds' | 'tokens' | 'early-stopping';
}

export interface TrainOptions {
  readonly seed: number;
  readonly budget?: Budget;
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Perplexity of a scorer on the valid split, by the one shared evaluation protocol. The harness provides
   * it, so a model never computes perplexity itself (and never needs to know the harness).
   */
  readonly validate: (scorer: Scorer) => number;
}

/**
 * A state fed token ids one at a time. Everything the harness knows of a model's predictions comes
 * through here.
 */
export interface Scorer {
  readonly vocabSize: number;
  /** Start a sentence: the history becomes `<s>` alone. */
  reset(): void;
  /** ln P(next | history); −Infinity for a zero probability (never floored). */
  logProb(next: number): number;
  /** P(· | history) for every id, into `out` (length `vocabSize`); sums to 1. */
  distribution(out: Float64Array): void;
  /** Append a token to the history. */
  feed(token: number): void;
  /**
   * Optional fast path, the same as `out[i] = logProb(tokens[i]); feed(tokens[i])` for every i
   * (the conformance kit checks that it is). Neural models batch the output layer here.
   */
  scoreSequence?(tokens: Int32Array, out: Float64Array): void;
  /**
   * Optional fast path for sentence mode: several independent sentences in one call, so that a neural model can
   * run them as one batch. Each `sentences[j]` is one sentence's ids followed by `</s>` (length ≥ 1: a sentence of
   * no words is `</s>` alone), and `outs[j]` (at least as long) receives, for every i, ln P(sentences[j][i] | `<s>`
   * sentences[j][0..i)), the same as `reset()` then `logProb` + `feed` token by token (the conformance kit checks
   * that it is, within 1e-5). Sentences do not see each other: the result of one does not depend on which others
   * share the call, beyond rounding. The call may reorder, group and pad them as it likes, and should bound its
   * memory by a fixed number of rows, not by how many sentences it is handed. Afterwards the history is `<s>`
   * (as after `reset()`). `evaluate` hands it runs of consecutive sentences (`SENTENCE_GROUP_TOKENS` tokens at most
   * in all, none longer than `SCORING_PIECE`); a scorer without it is scored sentence by sentence.
   */
  scoreSentences?(sentences: readonly Int32Array[], outs: readonly Float64Array[]): void;
}

export interface LanguageModel {
  /** Registry name of the plug-in that made it. */
  readonly plugin: string;
  /** The validated hyper-parameters, as plain JSON. */
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  readonly vocab: Vocabulary;
  train(data: TrainingData, options: TrainOptions): Promise<TrainReport>;
  scorer(): Scorer;
  /** Free parameters (for an n-gram model: the probabilities and back-off weights it stores). */
  parameterCount(): number;
  /**
   * Bytes its arrays and tables actually hold for scoring: parameters, or an n-gram model's tables. Training
   * state (gradients, optimiser moments, workspaces) is not the model and is left out, the same for every family.
   */
  byteSize(): number;
  /** For a model made of stored n-grams: how many (of every order), so that a report can give bytes per n-gram. */
  ngramCount?(): number;
  /** Everything needed to rebuild it; written to disk by `saveCheckpoint`. */
  toCheckpoint(): CheckpointData;
}

/** What a plug-in module defines; `definePlugin` turns it into a registry entry. */
export interface PluginDefinition<S extends z.ZodType<Record<string, unknown>>> {
  readonly name: string;
  readonly family: ModelFamily;
  /** What charts and tables call the family (`n-gram`, `fixed window`); default: the family itself. */
  readonly familyLabel?: string;
  readonly description: string;
  /** Words of history a model with these hyper-parameters conditions on; default: none stated. */
  contextLength?(hyperParameters: z.output<S>): ContextLength;
  /**
   * The hyper-parameter that sets the context length (`order`, `n`), if one does: the report joins the runs of
   * a sweep over it into one line.
   */
  readonly contextParameter?: keyof z.output<S> & string;
  /** Hyper-parameters; must be a strict object (unknown keys are errors) with defaults for optional keys. */
  readonly schema: S;
  create(hyperParameters: z.output<S>, vocab: Vocabulary): LanguageModel;
  fromCheckpoint(data: CheckpointData, hyperParameters: z.output<S>, vocab: Vocabulary): LanguageModel;
  /** Configurations the conformance kit runs (small and fast); default: one, with default hyper-parameters. */
  readonly conformance?: readonly ConformanceCase[];
  /** Options renamed since an earlier version (old → new): refused in configs naming the new one; migrated in checkpoints. */
  readonly renamedOptions?: RenamedOptions;
}

/** Option names a plug-in used before (old → new), and the version that renamed them. */
export interface RenamedOptions {
  readonly version: string;
  readonly names: Readonly<Record<string, string>>;
}

export interface ConformanceCase {
  readonly hyperParameters: Record<string, unknown>;
  /** False for models that may give probability 0 (MLE): the kit then does not require finite perplexity. */
  readonly smoothed?: boolean;
  /**
   * For a declared approximation of a normalised model (a quantised n-gram model): the largest |Σp − 1| it may
   * have, instead of the kit's 1e-6. The figure is still measured and shown; the case says why it is allowed.
   */
  readonly normalisationTolerance?: number;
  /** The fewest bytes a parameter is stored in (default 4, a float32; 1 for 8-bit quantised values). */
  readonly bytesPerParameter?: number;
}

/** A registry entry: hyper-parameters come in as untyped JSON and are validated here. */
export interface ModelPlugin {
  readonly name: string;
  readonly family: ModelFamily;
  readonly familyLabel: string;
  readonly description: string;
  /** The context length of a model with these (validated) hyper-parameters. */
  contextLength(hyperParameters: Readonly<Record<string, unknown>>): ContextLength;
  readonly contextParameter?: string;
  readonly schema: z.ZodType<Record<string, unknown>>;
  /** Validate `hyperParameters` (a `UserError` naming the option otherwise) and make an untrained model. */
  create(hyperParameters: unknown, vocab: Vocabulary): LanguageModel;
  fromCheckpoint(data: CheckpointData): LanguageModel;
  readonly conformance: readonly ConformanceCase[];
  readonly renamedOptions?: RenamedOptions;
}
