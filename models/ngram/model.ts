import { predictedTokens } from '../../corpora/corpus.ts';
import type { Vocabulary } from '../../corpora/vocabulary.ts';
import { UserError } from '../../errors/user-error.ts';
import type { CheckpointData, JsonValue } from '../checkpoint.ts';
import type { LanguageModel, Protocol, Scorer, TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { markedTokens } from './counting.ts';
import { KENLM_FALLBACK, type Discount } from './discounting.ts';
import { type EstimatedSmoothing, estimate } from './estimate.ts';
import { BackoffScorer } from './backoff-scorer.ts';
import { packedBytes, packedParameters, packedToArrays, packTables, unpackTables, type PackedTables } from './packed-tables.ts';
import type { Quantisation } from './quantisation.ts';
import { type CountTables, scorerOf, tableBytes, tableParameters, tablesToArrays, uniformTables, type NgramTables } from './tables.ts';

/**
 * - mle, add-k: counts, divided at scoring time.
 * - kn, mkn: interpolated Kneser-Ney with one (kn) or three (mkn, Chen & Goodman 1998) discounts per order,
 *   estimated as KenLM's lmplz does.
 * - arpa: probabilities and back-off weights read from an ARPA file (`readArpa`); not trained here.
 */
export type Smoothing = EstimatedSmoothing | 'arpa';

export interface NgramHyperParameters extends Record<string, unknown> {
  order: number;
  smoothing: Smoothing;
  /** add-k's k (1 = Laplace). */
  k?: number;
  /**
   * Discounts for orders whose Kneser-Ney discounts cannot be estimated: true or unset = KenLM's 0.5, 1, 1.5,
   * false = fail (KenLM lmplz without --discount_fallback).
   */
  discountFallback?: boolean | [number, number, number];
  /** absolute-discounting's fixed D (per order, the last repeated). */
  discount?: number | number[];
  /** katz: counts above this are not discounted. */
  gtMax?: number;
  /** jelinek-mercer: buckets of the history count, each with its own λ. */
  buckets?: number;
  /** jelinek-mercer: fixed λ per order instead of EM on the valid split. */
  lambdas?: number[];
  /** Count pruning thresholds per order (lmplz --prune). */
  prune?: number[];
  /** Relative-entropy pruning threshold θ (SRILM -prune). */
  entropyPrune?: number;
  /** Quantise log10 p of orders ≥ 2 to this many bits (KenLM's build_binary -q); unset = single-precision floats. */
  probBits?: number;
  /** Quantise log10 back-off weights of orders ≥ 2 to this many bits (KenLM's -b; default probBits). */
  backoffBits?: number;
}

/** The quantisation the hyper-parameters ask for, if any (`backoffBits` defaults to `probBits`, as KenLM's -b to -q). */
export function quantisationOf(hp: Pick<NgramHyperParameters, 'probBits' | 'backoffBits'>): Quantisation | undefined {
  return hp.probBits === undefined ? undefined : { probBits: hp.probBits, backoffBits: hp.backoffBits ?? hp.probBits };
}

/**
 * What a model holds for scoring: counts (mle, add-k), or a back-off model in the bit-packed trie, its values
 * quantised or not (packed-tables.ts).
 */
export type StoredTables = CountTables | PackedTables;

/** What a trained model records beside its tables (saved in the checkpoint's meta). */
export interface NgramInfo {
  /** How the training text was read (sentence or stream), if trained here. */
  readonly mode?: Protocol;
  /** Discounts D1, D2, D3+ per order (Kneser-Ney). */
  readonly discounts?: readonly (readonly number[])[];
  /** Orders whose discounts came from the fallback. */
  readonly fallbackOrders?: readonly number[];
  /** Count-of-counts n1..n4 of the discounted counts per order (Kneser-Ney: adjusted; absolute discounting: occurrences). */
  readonly countOfCounts?: readonly (readonly number[])[];
  /** Katz's Good-Turing ratios d_1..d_k per order (empty where the order used the fixed fallback amount). */
  readonly goodTuring?: readonly (readonly number[])[];
  /** Jelinek-Mercer's λ per order and bucket, the EM iterations and the valid log-likelihood per token they reached. */
  readonly lambdas?: readonly (readonly number[])[];
  readonly emIterations?: number;
  readonly heldOutLogLikelihood?: number;
  /** Pruned models: [kept, estimated] n-grams per order (lmplz prints the same as "kept/all"). */
  readonly kept?: readonly (readonly number[])[];
  /** Where the model came from when it was not trained here (an ARPA file). */
  readonly source?: string;
}

export function fallbackDiscounts(option: NgramHyperParameters['discountFallback']): [number, number, number] | undefined {
  if (option === false) return undefined;
  return Array.isArray(option) ? option : ([...KENLM_FALLBACK] as [number, number, number]);
}

export class NgramModel implements LanguageModel {
  readonly plugin = 'ngram';
  private state: StoredTables;
  private about: NgramInfo;

  constructor(
    readonly hyperParameters: NgramHyperParameters,
    readonly vocab: Vocabulary,
    tables?: NgramTables | PackedTables,
    info: NgramInfo = {},
  ) {
    this.state = this.stored(tables ?? uniformTables(vocab.size));
    this.about = info;
  }

  private stored(tables: NgramTables | PackedTables): StoredTables {
    return tables.kind === 'backoff' ? packTables(tables, quantisationOf(this.hyperParameters)) : tables;
  }

  /**
   * The tables as plain arrays (the uniform unigram before training): for a back-off model unpacked from what
   * the scorer holds (`storage`), quantised values decoded. Made on each call.
   */
  get tables(): NgramTables {
    return this.state.kind === 'packed' ? unpackTables(this.state) : this.state;
  }

  /** What the model holds and scores with. */
  get storage(): StoredTables {
    return this.state;
  }

  get info(): NgramInfo {
    return this.about;
  }

  /** Number of stored n-grams of each order. */
  ngramCounts(): number[] {
    return this.state.trie.counts();
  }

  ngramCount(): number {
    return this.ngramCounts().reduce((a, b) => a + b, 0);
  }

  async train(data: TrainingData, options: TrainOptions): Promise<TrainReport> {
    const { smoothing, order } = this.hyperParameters;
    if (smoothing === 'arpa') {
      throw new UserError('an ngram model with smoothing "arpa" is read from an ARPA file, not trained; choose one of the estimated smoothings (mkn, kn, …)');
    }
    if (data.vocab.size !== this.vocab.size) {
      throw new Error(`ngram: training data has a vocabulary of ${data.vocab.size} words, the model ${this.vocab.size}`);
    }
    const start = performance.now();
    const text = markedTokens(data.train, data.mode);
    const result = estimate(text, order, this.vocab.size, {
      smoothing,
      discountFallback: fallbackDiscounts(this.hyperParameters.discountFallback),
      discount: this.hyperParameters.discount,
      gtMax: this.hyperParameters.gtMax,
      buckets: this.hyperParameters.buckets,
      lambdas: this.hyperParameters.lambdas,
      prune: this.hyperParameters.prune,
      entropyPrune: this.hyperParameters.entropyPrune,
      heldOut: this.hyperParameters.smoothing === 'jelinek-mercer' ? markedTokens(data.valid, data.mode) : undefined,
      onProgress: options.onProgress,
    });
    this.state = this.stored(result.tables);
    this.about = {
      mode: data.mode,
      ...(result.discounts ? describeDiscounts(result.discounts) : {}),
      ...(result.countOfCounts ? { countOfCounts: result.countOfCounts } : {}),
      ...(result.kept ? { kept: result.kept } : {}),
      ...(result.katz
        ? {
            goodTuring: result.katz.map((d) => d.ratios.slice(1)),
            fallbackOrders: result.katz.flatMap((d, i) => (d.fallbackAmount !== undefined ? [i + 1] : [])),
          }
        : {}),
      ...(result.lambdas
        ? {
            lambdas: result.lambdas.values.map((v) => Array.from(v)),
            emIterations: result.lambdas.iterations,
            ...(result.lambdas.heldOutLogLikelihood !== undefined ? { heldOutLogLikelihood: result.lambdas.heldOutLogLikelihood } : {}),
          }
        : {}),
    };
    return {
      tokensTrained: predictedTokens(data.train),
      seconds: (performance.now() - start) / 1000,
      epochs: [],
      stoppedBy: 'done',
    };
  }

  scorer(): Scorer {
    if (this.state.kind === 'packed') return new BackoffScorer(this.state.trie, this.state.values);
    return scorerOf(this.state, { kind: this.hyperParameters.smoothing === 'add-k' ? 'add-k' : 'mle', k: this.hyperParameters.k ?? 1 });
  }

  parameterCount(): number {
    return this.state.kind === 'packed' ? packedParameters(this.state) : tableParameters(this.state);
  }

  byteSize(): number {
    return this.state.kind === 'packed' ? packedBytes(this.state) : tableBytes(this.state);
  }

  toCheckpoint(): CheckpointData {
    const meta: JsonValue = {
      kind: this.state.kind,
      order: this.state.trie.order,
      ...(this.state.kind === 'packed' && 'quantisation' in this.state.values ? { quantisation: { ...this.state.values.quantisation } } : {}),
      ...(JSON.parse(JSON.stringify(this.about)) as Record<string, JsonValue>),
    };
    return {
      plugin: this.plugin,
      hyperParameters: this.hyperParameters,
      vocabulary: this.vocab.words,
      meta,
      arrays: this.state.kind === 'packed' ? packedToArrays(this.state) : tablesToArrays(this.state),
    };
  }
}

function describeDiscounts(discounts: readonly Discount[]): Pick<NgramInfo, 'discounts' | 'fallbackOrders'> {
  return {
    discounts: discounts.map((d) => d.amounts.slice(1)),
    fallbackOrders: discounts.flatMap((d, i) => (d.fallback ? [i + 1] : [])),
  };
}
