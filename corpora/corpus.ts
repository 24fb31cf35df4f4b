import { BOS, EOS, UNK_ID, Vocabulary } from './vocabulary.ts';
import { UserError } from '../errors/user-error.ts';

export type SplitName = 'train' | 'valid' | 'test';
export const SPLITS: readonly SplitName[] = ['train', 'valid', 'test'];

/** How text becomes tokens: words separated by white space, or single characters (spaces included). */
export type TokenLevel = 'word' | 'char';

/** A corpus as text: three lists of sentences, each a list of tokens (no `<s>`/`</s>`). */
export interface Corpus {
  readonly name: string;
  readonly level: TokenLevel;
  readonly train: readonly (readonly string[])[];
  readonly valid: readonly (readonly string[])[];
  readonly test: readonly (readonly string[])[];
  /** Threshold for the vocabulary: words seen fewer times in train become `<unk>`. */
  readonly minCount: number;
  /**
   * The sentences the vocabulary is counted on when they are not `train`: a slice of a large corpus that
   * keeps the whole corpus's vocabulary (its train split before the cut).
   */
  readonly vocabularySentences?: readonly (readonly string[])[];
  /** Where the text came from, for error messages and reports. */
  readonly source: string;
}

/**
 * One split as token ids. Sentence i is `tokens[starts[i] .. starts[i+1])`, without markers:
 * the evaluation protocol adds the `<s>` context and predicts the `</s>` itself.
 */
export interface EncodedSplit {
  readonly tokens: Int32Array;
  readonly starts: Int32Array;
  /** Tokens of the text that are `<unk>` after mapping (out-of-vocabulary words, or literal `<unk>`). */
  readonly unk: number;
  /**
   * Characters of the split's text, for bits per character (comparable across vocabularies and tokenisations):
   * Unicode code points of the words plus one separator after each word (the spaces between words and the
   * newline ending the sentence); at character level, one per token plus the newline.
   */
  readonly characters: number;
}

export interface EncodedCorpus {
  readonly name: string;
  readonly level: TokenLevel;
  readonly vocab: Vocabulary;
  readonly train: EncodedSplit;
  readonly valid: EncodedSplit;
  readonly test: EncodedSplit;
}

export function sentenceCount(split: EncodedSplit): number {
  return split.starts.length - 1;
}

/** Tokens a model predicts on this split: every word plus one `</s>` per sentence. */
export function predictedTokens(split: EncodedSplit): number {
  return split.tokens.length + sentenceCount(split);
}

/** Unicode code points of a string: its UTF-16 units less the second half of each surrogate pair. */
function codePoints(w: string): number {
  let n = w.length;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff) n--;
  }
  return n;
}

/**
 * Characters of one sentence's text, the divisor of bits per character: at word level the words' code points and
 * one separator after each word (the spaces between them and the newline); at character level one per token
 * (a code point, spaces included) and the newline.
 */
export function sentenceCharacters(sentence: readonly string[], level: TokenLevel): number {
  if (level === 'char') return sentence.length + 1;
  let n = 0;
  for (const w of sentence) n += codePoints(w) + 1;
  return n;
}

/** The text of one sentence as its line in a file (words joined by spaces, characters joined as they are). */
export function sentenceText(sentence: readonly string[], level: TokenLevel): string {
  return sentence.join(level === 'char' ? '' : ' ');
}

export function encodeSentences(sentences: readonly (readonly string[])[], vocab: Vocabulary, level: TokenLevel): EncodedSplit {
  let total = 0;
  for (const s of sentences) total += s.length;
  const tokens = new Int32Array(total);
  const starts = new Int32Array(sentences.length + 1);
  let k = 0;
  let unk = 0;
  let characters = 0;
  sentences.forEach((s, i) => {
    starts[i] = k;
    for (const w of s) {
      const id = vocab.id(w);
      if (id === UNK_ID) unk++;
      tokens[k++] = id;
    }
    characters += sentenceCharacters(s, level);
  });
  starts[sentences.length] = k;
  return { tokens, starts, unk, characters };
}

/** Check a corpus, build its vocabulary from train, and turn every split into ids. */
export function encodeCorpus(corpus: Corpus): EncodedCorpus {
  for (const split of SPLITS) {
    const sentences = corpus[split];
    let n = 0;
    for (const s of sentences) {
      n += s.length;
      for (const w of s) {
        if (w === BOS || w === EOS) {
          throw new UserError(`${corpus.source}: the ${split} split contains a literal ${w}; sentence markers are added by the protocol`);
        }
      }
    }
    if (sentences.length === 0 || n === 0) {
      throw new UserError(`${corpus.source}: the ${split} split has no tokens`);
    }
  }
  return encodeWithVocabulary(corpus, Vocabulary.build(corpus.vocabularySentences ?? corpus.train, corpus.minCount));
}

/** Every split in ids of a given vocabulary (e.g. a trained model's, when evaluating it on a corpus). */
export function encodeWithVocabulary(corpus: Corpus, vocab: Vocabulary): EncodedCorpus {
  return {
    name: corpus.name,
    level: corpus.level,
    vocab,
    train: encodeSentences(corpus.train, vocab, corpus.level),
    valid: encodeSentences(corpus.valid, vocab, corpus.level),
    test: encodeSentences(corpus.test, vocab, corpus.level),
  };
}
