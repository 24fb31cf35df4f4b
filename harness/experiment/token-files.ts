import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { type Corpus, type EncodedCorpus, type EncodedSplit, sentenceCharacters, sentenceText, type TokenLevel } from '../../corpora/corpus.ts';
import { EOS_ID } from '../../corpora/vocabulary.ts';
import { UserError } from '../../errors/user-error.ts';
import { writeFileAtomic } from './atomic.ts';

/**
 * Per-token data kept beside the results, so a report can break perplexity down without retraining:
 * - `runs/ID.test.f32` and `runs/ID.valid.f32`: ln p of every predicted test (valid) token of one run, in
 *   protocol order, float32 (little-endian, as every platform Node runs on stores typed arrays). The sentence
 *   boundaries are not stored: each `</s>` ends a sentence, and the corpus (reloadable) gives them exactly.
 * - `corpora/CORPUS.json` + `corpora/CORPUS.bin`: once per corpus, the training count of every vocabulary
 *   id (uint32 × vocabulary), the predicted test targets (int32 × tokens), then (version 2) the predicted valid
 *   targets (int32 × tokens). The target's position in its sentence follows from the targets (each `</s>` ends
 *   a sentence), so a comparison or a mixture can resample either split's sentences from the folder alone.
 */
export const RUNS_DIR = 'runs';
export const CORPORA_DIR = 'corpora';

/** How a corpus's vocabulary was made: the tokens seen at least `minCount` times in `tokens` tokens of text. */
export interface VocabularySource {
  readonly level: TokenLevel;
  readonly minCount: number;
  /** Counted on the train sentences the corpus kept, or on its whole train split before a slice cut it. */
  readonly from: 'kept-train' | 'whole-train';
  readonly tokens: number;
}

export interface CorpusTokenMeta {
  readonly format: 'perplexity-bench/corpus-tokens';
  /** 1: counts and test targets; 2: the valid targets too. */
  readonly version: 1 | 2;
  readonly corpus: string;
  readonly vocabSize: number;
  readonly trainTokens: number;
  readonly testTokens: number;
  /** Absent in version 1. */
  readonly validTokens?: number;
  /** The characters of each split's text (`EncodedSplit.characters`), for bits per character; absent in version 1. */
  readonly validCharacters?: number;
  readonly testCharacters?: number;
  /** Sentences of each split (absent in version 1). */
  readonly validSentences?: number;
  readonly testSentences?: number;
  /**
   * SHA-256 of each split's text (each sentence's line, `sentenceText`, ending in a newline): two corpora with the
   * same hash scored the same text, whatever their vocabularies or tokenisations (absent when not recorded).
   */
  readonly validTextSha256?: string;
  readonly testTextSha256?: string;
  /** Absent in the files of runs made before it was recorded. */
  readonly vocabulary?: VocabularySource;
}

export interface CorpusTokens {
  readonly meta: CorpusTokenMeta;
  /** Times each id is a predicted target in train (`<unk>`: the merged rare words; `</s>`: the sentences). */
  readonly trainCounts: Uint32Array;
  /** The predicted test targets in protocol order: each sentence's words, then `</s>`. */
  readonly testTargets: Int32Array;
  /** The same for valid; absent in a version-1 file. */
  readonly validTargets?: Int32Array;
  /** The characters of each sentence of test (valid), `sentenceCharacters`; absent in a version-1 file. */
  readonly testSentenceCharacters?: Int32Array;
  readonly validSentenceCharacters?: Int32Array;
}

/** The characters of each sentence and the SHA-256 of the split's text, from the text the corpus was encoded from. */
function splitText(sentences: readonly (readonly string[])[], level: TokenLevel): { characters: Int32Array; sha256: string } {
  const hash = createHash('sha256');
  const characters = new Int32Array(sentences.length);
  sentences.forEach((s, i) => {
    characters[i] = sentenceCharacters(s, level);
    hash.update(`${sentenceText(s, level)}\n`);
  });
  return { characters, sha256: hash.digest('hex') };
}

function concatArrays(arrays: readonly (Int32Array | Uint32Array)[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.byteLength, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** The splits whose per-token log-probabilities a run keeps. */
export type ScoredSplit = 'valid' | 'test';

export function runTokensPath(dir: string, id: string, split: ScoredSplit = 'test'): string {
  return join(dir, RUNS_DIR, `${id}.${split}.f32`);
}

function corpusPaths(dir: string, corpusId: string): { meta: string; bin: string } {
  return { meta: join(dir, CORPORA_DIR, `${corpusId}.json`), bin: join(dir, CORPORA_DIR, `${corpusId}.bin`) };
}

/** Predicted targets of a split in protocol order: each sentence's tokens followed by `</s>`. */
export function predictedTargets(split: EncodedSplit): Int32Array {
  const sentences = split.starts.length - 1;
  const out = new Int32Array(split.tokens.length + sentences);
  let k = 0;
  for (let s = 0; s < sentences; s++) {
    for (let i = split.starts[s]!; i < split.starts[s + 1]!; i++) out[k++] = split.tokens[i]!;
    out[k++] = EOS_ID;
  }
  return out;
}

export function trainCounts(corpus: EncodedCorpus): Uint32Array {
  const counts = new Uint32Array(corpus.vocab.size);
  const t = corpus.train.tokens;
  for (let i = 0; i < t.length; i++) counts[t[i]!]!++;
  counts[EOS_ID]! += corpus.train.starts.length - 1;
  return counts;
}

/**
 * Write the corpus's token data unless a run before wrote it already (it depends on the corpus only). `text` is
 * the corpus the encoded one came from: it gives each sentence's characters and the splits' text hashes.
 */
export function writeCorpusTokens(dir: string, corpusId: string, corpus: EncodedCorpus, text: Corpus, vocabulary?: VocabularySource): void {
  const paths = corpusPaths(dir, corpusId);
  // A version-2 file is complete; a version-1 file (no valid targets) is written again. Only the small meta is read.
  if (existsSync(paths.meta) && existsSync(paths.bin) && (JSON.parse(readFileSync(paths.meta, 'utf8')) as CorpusTokenMeta).version === 2) return;
  const counts = trainCounts(corpus);
  const targets = predictedTargets(corpus.test);
  const validTargets = predictedTargets(corpus.valid);
  const test = splitText(text.test, text.level);
  const valid = splitText(text.valid, text.level);
  const bin = concatArrays([counts, targets, validTargets, test.characters, valid.characters]);
  const meta: CorpusTokenMeta = {
    format: 'perplexity-bench/corpus-tokens',
    version: 2,
    corpus: corpus.name,
    vocabSize: counts.length,
    trainTokens: corpus.train.tokens.length + corpus.train.starts.length - 1,
    testTokens: targets.length,
    validTokens: validTargets.length,
    testSentences: test.characters.length,
    validSentences: valid.characters.length,
    testCharacters: corpus.test.characters,
    validCharacters: corpus.valid.characters,
    testTextSha256: test.sha256,
    validTextSha256: valid.sha256,
    ...(vocabulary ? { vocabulary } : {}),
  };
  // The binary first: a meta file always has its data beside it.
  writeFileAtomic(paths.bin, bin);
  writeFileAtomic(paths.meta, `${JSON.stringify(meta, null, 2)}\n`);
}

export function readCorpusTokens(dir: string, corpusId: string): CorpusTokens | undefined {
  const paths = corpusPaths(dir, corpusId);
  if (!existsSync(paths.meta) || !existsSync(paths.bin)) return undefined;
  const meta = JSON.parse(readFileSync(paths.meta, 'utf8')) as CorpusTokenMeta;
  const bin = readFileSync(paths.bin);
  const v2 = meta.version === 2;
  const arrays = [meta.vocabSize, meta.testTokens, ...(v2 ? [meta.validTokens ?? 0, meta.testSentences ?? 0, meta.validSentences ?? 0] : [])];
  const expected = 4 * arrays.reduce((n, a) => n + a, 0);
  if (meta.format !== 'perplexity-bench/corpus-tokens' || bin.byteLength !== expected) {
    throw new UserError(`${paths.bin}: does not match ${paths.meta} (expected ${expected} bytes)`);
  }
  const copy = new Uint8Array(bin);
  const offsets = arrays.map((_, i) => 4 * arrays.slice(0, i).reduce((n, a) => n + a, 0));
  const int32 = (i: number): Int32Array => new Int32Array(copy.buffer, offsets[i]!, arrays[i]!);
  return {
    meta,
    trainCounts: new Uint32Array(copy.buffer, 0, meta.vocabSize),
    testTargets: int32(1),
    ...(v2 ? { validTargets: int32(2), testSentenceCharacters: int32(3), validSentenceCharacters: int32(4) } : {}),
  };
}

export function writeRunTokens(dir: string, id: string, logProbs: Float64Array, split: ScoredSplit = 'test'): void {
  const f32 = Float32Array.from(logProbs);
  writeFileAtomic(runTokensPath(dir, id, split), new Uint8Array(f32.buffer));
}

/** A run's per-token log-probabilities, or why they cannot be used (missing, or not its corpus's length). */
export function readRunTokens(dir: string, id: string, expected: number, split: ScoredSplit = 'test'): Float32Array | string {
  const path = runTokensPath(dir, id, split);
  if (!existsSync(path)) return `${path} is missing`;
  const bin = readFileSync(path);
  if (bin.byteLength !== 4 * expected) return `${path} holds ${bin.byteLength / 4} tokens, its corpus has ${expected}`;
  return new Float32Array(new Uint8Array(bin).buffer);
}
