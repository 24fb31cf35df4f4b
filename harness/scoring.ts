import type { EncodedSplit } from '../corpora/corpus.ts';
import { EOS_ID } from '../corpora/vocabulary.ts';
import type { Protocol, Scorer } from '../models/types.ts';

/**
 * The most tokens handed to one `scoreSequence` call: a longer sentence is scored in consecutive pieces
 * (the same as one call, by the Scorer contract), so no model is asked to hold a whole 5-MB line at once,
 * and progress reaches the caller within it. In stream mode a piece runs across sentence boundaries.
 */
export const SCORING_PIECE = 4096;

/**
 * The most tokens (words and `</s>`) of the sentences handed to one `scoreSentences` call in sentence mode:
 * enough sentences (about 350 of Brown's) for a scorer to sort them by length into full batches, few enough
 * that progress comes often. A sentence longer than `SCORING_PIECE` goes the sentence-by-sentence way.
 */
export const SENTENCE_GROUP_TOKENS = 8192;

/**
 * Score every predicted token of `split` in protocol order into `lp` (the words and the `</s>` of each
 * sentence; never `<s>`), through the scorer's bulk paths where it has them: `scoreSentences` for runs of
 * sentences in sentence mode, `scoreSequence` for pieces of up to `SCORING_PIECE` tokens (of one sentence
 * in sentence mode, of the whole stream in stream mode), else `logProb` and `feed` token by token. Every
 * path gives what the token-by-token one gives (the Scorer contract). `progress(done)` is called after each
 * call to the scorer with the tokens scored so far.
 */
export function scoreSplit(scorer: Scorer, split: EncodedSplit, mode: Protocol, lp: Float64Array, progress: (done: number) => void): void {
  if (mode === 'stream') scoreStream(scorer, split, lp, progress);
  else if (scorer.scoreSentences) scoreSentenceGroups(scorer, split, lp, progress);
  else scoreSentenceBySentence(scorer, split, lp, progress);
}

/** `scoreSequence` if the scorer has it, else token by token: the same by the Scorer contract. */
function scorePiece(scorer: Scorer, seq: Int32Array, out: Float64Array): void {
  if (scorer.scoreSequence) {
    scorer.scoreSequence(seq, out);
    return;
  }
  for (let i = 0; i < seq.length; i++) {
    out[i] = scorer.logProb(seq[i]!);
    scorer.feed(seq[i]!);
  }
}

/** One sentence (`seq` ends with `</s>`) from the scorer's current history, in pieces of `SCORING_PIECE`. */
function scoreInPieces(scorer: Scorer, seq: Int32Array, out: Float64Array, done: number, progress: (done: number) => void): void {
  for (let from = 0; from < seq.length; from += SCORING_PIECE) {
    const to = Math.min(seq.length, from + SCORING_PIECE);
    scorePiece(scorer, seq.subarray(from, to), out.subarray(from, to));
    progress(done + to);
  }
}

/** Sentence s of the split followed by `</s>`, copied into `into` (length ≥ its length + 1). */
function sentenceWithEnd(split: EncodedSplit, s: number, into: Int32Array): Int32Array {
  const { tokens, starts } = split;
  const length = starts[s + 1]! - starts[s]!;
  const seq = into.subarray(0, length + 1);
  seq.set(tokens.subarray(starts[s], starts[s + 1]));
  seq[length] = EOS_ID;
  return seq;
}

function longestSentence(split: EncodedSplit): number {
  let longest = 0;
  for (let s = 0; s + 1 < split.starts.length; s++) longest = Math.max(longest, split.starts[s + 1]! - split.starts[s]!);
  return longest;
}

/** Sentence mode, one sentence at a time: reset, then the sentence and its `</s>`. */
function scoreSentenceBySentence(scorer: Scorer, split: EncodedSplit, lp: Float64Array, progress: (done: number) => void): void {
  const buffer = new Int32Array(longestSentence(split) + 1);
  let k = 0;
  for (let s = 0; s + 1 < split.starts.length; s++) {
    scorer.reset();
    const seq = sentenceWithEnd(split, s, buffer);
    scoreInPieces(scorer, seq, lp.subarray(k, k + seq.length), k, progress);
    k += seq.length;
  }
}

/**
 * Sentence mode through `scoreSentences`: runs of consecutive sentences of at most `SENTENCE_GROUP_TOKENS`
 * tokens in all, each sentence's log-probabilities written straight into its place in `lp`.
 */
function scoreSentenceGroups(scorer: Scorer, split: EncodedSplit, lp: Float64Array, progress: (done: number) => void): void {
  const group = new Int32Array(SENTENCE_GROUP_TOKENS);
  let long = new Int32Array(0);
  let sentences: Int32Array[] = [];
  let outs: Float64Array[] = [];
  let used = 0;
  let k = 0;
  const flush = (): void => {
    if (sentences.length === 0) return;
    scorer.scoreSentences!(sentences, outs);
    sentences = [];
    outs = [];
    used = 0;
    progress(k);
  };
  for (let s = 0; s + 1 < split.starts.length; s++) {
    const n = split.starts[s + 1]! - split.starts[s]! + 1;
    if (n > SCORING_PIECE) {
      flush();
      if (long.length < n) long = new Int32Array(n);
      scorer.reset();
      scoreInPieces(scorer, sentenceWithEnd(split, s, long), lp.subarray(k, k + n), k, progress);
      k += n;
      continue;
    }
    if (used + n > SENTENCE_GROUP_TOKENS) flush();
    sentences.push(sentenceWithEnd(split, s, group.subarray(used)));
    outs.push(lp.subarray(k, k + n));
    used += n;
    k += n;
  }
  flush();
}

/**
 * Stream mode: reset once, then the stream `w… </s> w… </s> …` in pieces of `SCORING_PIECE` tokens that
 * run across sentence boundaries (the history carries across them anyway), so that a model with a bulk
 * path fills its batches even when the sentences are short.
 */
function scoreStream(scorer: Scorer, split: EncodedSplit, lp: Float64Array, progress: (done: number) => void): void {
  const { tokens, starts } = split;
  const piece = new Int32Array(SCORING_PIECE);
  let used = 0;
  let k = 0;
  const flush = (): void => {
    scorePiece(scorer, piece.subarray(0, used), lp.subarray(k, k + used));
    k += used;
    used = 0;
    progress(k);
  };
  scorer.reset();
  for (let s = 0; s + 1 < starts.length; s++) {
    const end = starts[s + 1]!;
    for (let i = starts[s]!; i <= end; i++) {
      piece[used++] = i < end ? tokens[i]! : EOS_ID;
      if (used === SCORING_PIECE) flush();
    }
  }
  if (used > 0) flush();
}
