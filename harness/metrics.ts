import type { EncodedSplit, TokenLevel } from '../corpora/corpus.ts';
import { EOS_ID, UNK_ID } from '../corpora/vocabulary.ts';
import type { Protocol, Scorer } from '../models/types.ts';

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
  /** For character corpora, where a token is a character (and `</s>` the newline). */
  readonly bitsPerCharacter?: number;
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
}

/**
 * The one evaluation protocol of the project: every model's perplexity comes from here, through its scorer.
 * Sentence mode resets the scorer at each sentence; stream mode resets it once and feeds `</s>` between
 * sentences. Either way the predicted tokens are the words and the `</s>` of each sentence.
 */
export function evaluate(scorer: Scorer, split: EncodedSplit, options: EvaluateOptions): Metrics {
  const { tokens, starts } = split;
  const sentences = starts.length - 1;
  const total = tokens.length + sentences;
  const lp = options.perToken ?? new Float64Array(total);
  if (lp.length < total) throw new RangeError(`perToken has length ${lp.length}, needs ${total}`);

  let longest = 0;
  for (let s = 0; s < sentences; s++) longest = Math.max(longest, starts[s + 1]! - starts[s]!);
  const sequence = new Int32Array(longest + 1);

  scorer.reset();
  let k = 0;
  for (let s = 0; s < sentences; s++) {
    if (options.mode === 'sentence' && s > 0) scorer.reset();
    const length = starts[s + 1]! - starts[s]!;
    sequence.set(tokens.subarray(starts[s]!, starts[s + 1]!));
    sequence[length] = EOS_ID;
    const seq = sequence.subarray(0, length + 1);
    const out = lp.subarray(k, k + length + 1);
    if (scorer.scoreSequence) {
      scorer.scoreSequence(seq, out);
    } else {
      for (let i = 0; i <= length; i++) {
        out[i] = scorer.logProb(seq[i]!);
        scorer.feed(seq[i]!);
      }
    }
    k += length + 1;
  }

  let logprob = 0;
  let knownLogprob = 0;
  let unk = 0;
  let zero = 0;
  let invalid = 0;
  k = 0;
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
    ...(options.level === 'char' ? { bitsPerCharacter: invalid > 0 ? NaN : -logprob / split.characters / Math.LN2 } : {}),
    zeroProbability: zero,
    invalid,
  };
}
