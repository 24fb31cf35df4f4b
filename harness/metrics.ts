import type { EncodedSplit, TokenLevel } from '../corpora/corpus.ts';
import { UNK_ID } from '../corpora/vocabulary.ts';
import type { ProgressEvent, Protocol, Scorer } from '../models/types.ts';
import { scoreSplit } from './scoring.ts';

export interface Metrics {
  readonly mode: Protocol;
  /** Predicted tokens: every word and one `</s>` per sentence; `<s>` is never predicted. */
  readonly tokens: number;
  /** Predicted tokens that are `<unk>`. */
  readonly unk: number;
  /** Σ ln p over every predicted token (nats). */
  readonly logprob: number;
  /** exp(−logprob / tokens), `<unk>` included (KenLM's "including OOVs"). */
  readonly perplexity: number;
  /** The same without the `<unk>` tokens in either the sum or the count (KenLM's "excluding OOVs"). */
  readonly perplexityWithoutUnk: number;
  readonly bitsPerToken: number;
  /** Characters of the split's text (`EncodedSplit.characters`: the words' code points and one separator each). */
  readonly characters: number;
  /**
   * −Σ log2 p / characters: the same text's cost whatever its tokenisation, so runs on different vocabularies,
   * tokenisations or `<unk>` rules can be set side by side (word perplexities cannot: kpu/kenlm issues #67, #345).
   */
  readonly bitsPerCharacter: number;
  /** Tokens the model gave probability 0; any makes the perplexity infinite. */
  readonly zeroProbability: number;
  /**
   * Tokens whose log-probability is NaN or +Infinity, which no distribution gives (a diverged or broken model);
   * any makes every perplexity NaN, so that a broken model never shows a number that looks like a result.
   */
  readonly invalid: number;
}

export interface EvaluateOptions {
  readonly mode: Protocol;
  readonly level?: TokenLevel;
  /** If given (length ≥ tokens), receives ln p of each predicted token in protocol order. */
  readonly perToken?: Float64Array;
  /** Called every `PROGRESS_TOKENS` predicted tokens or so (phase 'scoring'), and once at the end. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export { SCORING_PIECE, SENTENCE_GROUP_TOKENS } from './scoring.ts';

/** Progress of `evaluate` at most this often, in predicted tokens (a clock read each time, no more). */
export const PROGRESS_TOKENS = 16_384;

/**
 * The one evaluation protocol of the project: every model's perplexity comes from here, through its scorer.
 * Sentence mode resets the scorer at each sentence (or hands it runs of sentences, each scored from `<s>`,
 * through `scoreSentences`); stream mode resets it once and feeds `</s>` between sentences. Either way the
 * predicted tokens are the words and the `</s>` of each sentence (`scoring.ts` `scoreSplit` walks them).
 */
export function evaluate(scorer: Scorer, split: EncodedSplit, options: EvaluateOptions): Metrics {
  const { tokens, starts } = split;
  const sentences = starts.length - 1;
  const total = tokens.length + sentences;
  const lp = options.perToken ?? new Float64Array(total);
  if (lp.length < total) throw new RangeError(`perToken has length ${lp.length}, needs ${total}`);

  const started = performance.now();
  let reportAt = PROGRESS_TOKENS;
  const report = (done: number): void => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ phase: 'scoring', done, total, unit: 'tokens', tokensPerSecond: done / Math.max(seconds, 1e-9) });
  };
  scoreSplit(scorer, split, options.mode, lp, (done) => {
    if (options.onProgress && done >= reportAt) {
      report(done);
      reportAt = done + PROGRESS_TOKENS;
    }
  });
  if (options.onProgress) report(total);

  let k = 0;
  let logprob = 0;
  let knownLogprob = 0;
  let unk = 0;
  let zero = 0;
  let invalid = 0;
  for (let s = 0; s < sentences; s++) {
    for (let i = starts[s]!; i <= starts[s + 1]!; i++, k++) {
      const v = lp[k]!;
      if (v === -Infinity) zero++;
      else if (!(v < Infinity)) invalid++;
      logprob += v;
      // Position starts[s+1] is the `</s>` of sentence s, never `<unk>`.
      if (i < starts[s + 1]! && tokens[i] === UNK_ID) unk++;
      else knownLogprob += v;
    }
  }
  // A sum that holds both −Infinity and a NaN must not read as "probability 0": NaN wins.
  const perplexity = invalid > 0 ? NaN : zero > 0 ? Infinity : Math.exp(-logprob / total);
  const known = total - unk;
  const perplexityWithoutUnk = known === 0 || invalid > 0 ? NaN : Math.exp(-knownLogprob / known);
  const bitsPerToken = invalid > 0 ? NaN : -logprob / total / Math.LN2;
  return {
    mode: options.mode,
    tokens: total,
    unk,
    logprob,
    perplexity,
    perplexityWithoutUnk,
    bitsPerToken,
    characters: split.characters,
    bitsPerCharacter: invalid > 0 ? NaN : -logprob / split.characters / Math.LN2,
    zeroProbability: zero,
    invalid,
  };
}
