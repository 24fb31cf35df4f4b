import { isUtf8 } from 'node:buffer';
import { basename } from 'node:path';
import { UserError } from '../errors/user-error.ts';
import { encodeCorpus, SPLITS, type EncodedCorpus, type EncodedSplit } from './corpus.ts';
import { checkLineSplit, checkMinCount, DEFAULT_FRACTIONS, loadCorpus, type CorpusOptions } from './load.ts';
import { lineOfInvalidUtf8, readTextBytes } from './text-file.ts';
import { BOS, EOS, SPECIALS, UNK_ID, Vocabulary } from './vocabulary.ts';

/**
 * `encodeCorpus(loadCorpus(spec, options))`, the same corpus to the last id, read without a JavaScript
 * string per word for word-level `text:` and `files:` corpora: the bytes are split into words and each
 * word is looked up as bytes in a hash table, so only the distinct words become strings. At 100 million
 * words the string path needs gigabytes (a string and an array slot per word) and cannot even decode the
 * file (over V8's 2^29-character string limit); issue 15 §3 measures the whole `train` command at that
 * size. Other corpora (brown, the toys, character level) take the string path.
 */
export function loadEncodedCorpus(spec: string, options: CorpusOptions = {}): EncodedCorpus {
  const level = options.level ?? 'word';
  if (level !== 'word') return encodeCorpus(loadCorpus(spec, options));
  if (spec.startsWith('text:')) {
    const path = spec.slice('text:'.length);
    if (!path) return encodeCorpus(loadCorpus(spec, options));
    const minCount = checkMinCount(options.minCount);
    const words = new WordTable();
    const file = words.read(path);
    const lines = file.lines;
    const fractions = options.fractions ?? DEFAULT_FRACTIONS;
    const nTrain = Math.round(lines * fractions[0]);
    const nValid = Math.round(lines * fractions[1]);
    checkLineSplit(path, lines, [nTrain, nValid, lines - nTrain - nValid], fractions);
    const splits: LineRange[] = [
      { file, first: 0, end: nTrain },
      { file, first: nTrain, end: nTrain + nValid },
      { file, first: nTrain + nValid, end: lines },
    ];
    return encode(basename(path).replace(/\.[^.]*$/, ''), path, words, splits, minCount);
  }
  if (spec.startsWith('files:')) {
    const paths = spec.slice('files:'.length).split(',');
    if (options.fractions !== undefined || paths.length !== 3 || paths.some((p) => !p)) return encodeCorpus(loadCorpus(spec, options));
    const minCount = checkMinCount(options.minCount);
    const words = new WordTable();
    const splits = paths.map((p) => {
      const file = words.read(p);
      return { file, first: 0, end: file.lines };
    });
    return encode(basename(paths[0]!).replace(/\.[^.]*$/, ''), paths.join(','), words, splits, minCount);
  }
  return encodeCorpus(loadCorpus(spec, options));
}

/**
 * A word-level text file as a model with vocabulary `vocab` reads it (`eval --text`):
 * `encodeSentences(readLines(path).map((l) => tokenize(l, 'word')), vocab, 'word')` to the last id, read as bytes
 * with one string per distinct word, so that a test text beyond V8's string limit (about 500 MB) scores too.
 */
export function encodeTextWithVocabulary(path: string, vocab: Vocabulary): EncodedSplit {
  const words = new WordTable();
  const file = words.read(path);
  const toVocabulary = Int32Array.from({ length: words.size }, (_, id) => vocab.id(words.word(id)));
  const tokens = file.ids;
  let unk = 0;
  for (let i = 0; i < tokens.length; i++) {
    const id = toVocabulary[tokens[i]!]!;
    if (id === UNK_ID) unk++;
    tokens[i] = id;
  }
  let characters = 0;
  for (const c of file.characters) characters += c;
  return { tokens, starts: file.starts, unk, characters };
}

/** One file's non-blank lines as provisional word ids (`WordTable` ids, in order of first appearance). */
interface WordLines {
  readonly ids: Int32Array;
  /** Line i is `ids[starts[i] .. starts[i + 1])`. */
  readonly starts: Int32Array;
  /** Per line: code points of its words plus one separator a word (`sentenceCharacters` at word level). */
  readonly characters: Int32Array;
  readonly lines: number;
}

interface LineRange {
  readonly file: WordLines;
  readonly first: number;
  readonly end: number;
}

/**
 * Length of the white space at `i` (0 if none): what JavaScript's `\s` and `String.prototype.trim` take as
 * white space (ECMAScript WhiteSpace and LineTerminator), in UTF-8, which `tokenize` splits words on.
 */
function spaceAt(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c < 0xc2) return 0;
  const d = b[i + 1];
  if (c === 0xc2) return d === 0xa0 ? 2 : 0; // U+00A0
  const e = b[i + 2];
  if (c === 0xe1) return d === 0x9a && e === 0x80 ? 3 : 0; // U+1680
  if (c === 0xe2) {
    if (d === 0x80 && e !== undefined && ((e >= 0x80 && e <= 0x8a) || e === 0xa8 || e === 0xa9 || e === 0xaf)) return 3; // U+2000–200A, 2028, 2029, 202F
    return d === 0x81 && e === 0x9f ? 3 : 0; // U+205F
  }
  if (c === 0xe3) return d === 0x80 && e === 0x80 ? 3 : 0; // U+3000
  if (c === 0xef) return d === 0xbb && e === 0xbf ? 3 : 0; // U+FEFF
  return 0;
}

/** An Int32Array that grows by a quarter when full (large texts: little slack at the end). */
class GrowingInt32 {
  data: Int32Array;
  length = 0;

  constructor(capacity: number) {
    this.data = new Int32Array(Math.max(16, capacity));
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(Math.ceil(this.data.length * 1.25) + 16);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }

  finish(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * The distinct words of the files read so far, as byte strings in an open-addressing hash table (FNV-1a,
 * linear probing); a word's id is its order of first appearance.
 */
class WordTable {
  private slots = new Int32Array(1 << 16).fill(-1);
  private hashes = new GrowingInt32(1 << 12);
  /** Each word's bytes: its first occurrence, `sources[id]` at `offsets[id]`, `lengths[id]` long. */
  private readonly sources: Buffer[] = [];
  private offsets = new GrowingInt32(1 << 12);
  private lengths = new GrowingInt32(1 << 12);
  private readonly files: Buffer[] = [];

  get size(): number {
    return this.hashes.length;
  }

  /** The words of one file, its non-blank lines as ids; bytes that are not UTF-8 are a `UserError` naming the line. */
  read(path: string): WordLines {
    const bytes = readTextBytes(path);
    if (!isUtf8(bytes)) throw new UserError(`${path}: line ${lineOfInvalidUtf8(bytes)} is not valid UTF-8`);
    const fileIndex = this.files.push(bytes) - 1;
    // About five bytes a word in English text; the arrays grow if not.
    const ids = new GrowingInt32(Math.ceil(bytes.length / 4));
    const starts = new GrowingInt32(Math.ceil(bytes.length / 64));
    const characters = new GrowingInt32(Math.ceil(bytes.length / 64));
    const n = bytes.length;
    let i = 0;
    let lineCharacters = 0;
    let lineWords = 0;
    const endLine = (): void => {
      if (lineWords > 0) {
        starts.push(ids.length - lineWords);
        characters.push(lineCharacters);
      }
      lineWords = 0;
      lineCharacters = 0;
    };
    while (i < n) {
      if (bytes[i] === 0x0a) {
        endLine();
        i++;
        continue;
      }
      const space = spaceAt(bytes, i);
      if (space > 0) {
        i += space;
        continue;
      }
      const start = i;
      let hash = 0x811c9dc5;
      let codePoints = 0;
      while (i < n && bytes[i] !== 0x0a && spaceAt(bytes, i) === 0) {
        const c = bytes[i++]!;
        hash = Math.imul(hash ^ c, 0x01000193);
        if ((c & 0xc0) !== 0x80) codePoints++;
      }
      ids.push(this.idOf(fileIndex, bytes, start, i, hash));
      lineWords++;
      lineCharacters += codePoints + 1;
    }
    endLine();
    const lines = starts.length;
    starts.push(ids.length);
    if (lines === 0) throw new UserError(`${path}: empty corpus (no non-blank lines)`);
    return { ids: ids.finish(), starts: starts.finish(), characters: characters.finish(), lines };
  }

  /** The bytes of word `id` as a string. */
  word(id: number): string {
    const at = this.offsets.data[id]!;
    return this.sources[id]!.toString('utf8', at, at + this.lengths.data[id]!);
  }

  /** The id of a word given as a string, or −1 if no file had it. */
  find(word: string): number {
    const bytes = Buffer.from(word, 'utf8');
    let hash = 0x811c9dc5;
    for (const c of bytes) hash = Math.imul(hash ^ c, 0x01000193);
    return this.lookup(bytes, 0, bytes.length, hash);
  }

  private lookup(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id < 0) return -1;
      if (this.hashes.data[id] === hash && this.sameBytes(id, bytes, start, end)) return id;
    }
  }

  private idOf(fileIndex: number, bytes: Buffer, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    for (; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id < 0) break;
      if (this.hashes.data[id] === hash && this.sameBytes(id, bytes, start, end)) return id;
    }
    const id = this.size;
    this.hashes.push(hash);
    this.sources.push(this.files[fileIndex]!);
    this.offsets.push(start);
    this.lengths.push(end - start);
    this.slots[s] = id;
    if (2 * this.size > this.slots.length) this.rehash();
    return id;
  }

  private sameBytes(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    if (this.lengths.data[id] !== length) return false;
    const source = this.sources[id]!;
    const at = this.offsets.data[id]!;
    for (let j = 0; j < length; j++) if (source[at + j] !== bytes[start + j]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.size; id++) {
      let s = this.hashes.data[id]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = id;
    }
    this.slots = slots;
  }
}

/**
 * The checks and the vocabulary of `encodeCorpus`, on word ids: a literal `<s>` or `</s>` in a split, or a
 * split without words, is a `UserError`; the vocabulary is `Vocabulary.build` of the train split (words by
 * descending count, ties by first appearance, which is the order of the ids since train is read first).
 */
function encode(name: string, source: string, words: WordTable, splits: readonly LineRange[], minCount: number): EncodedCorpus {
  const bos = words.find(BOS);
  const eos = words.find(EOS);
  splits.forEach((range, s) => {
    const { file, first, end } = range;
    const from = file.starts[first]!;
    const to = file.starts[end]!;
    for (let i = from; i < to; i++) {
      const id = file.ids[i]!;
      if (id === bos || id === eos) {
        throw new UserError(`${source}: the ${SPLITS[s]} split contains a literal ${id === bos ? BOS : EOS}; sentence markers are added by the protocol`);
      }
    }
    if (end === first || to === from) throw new UserError(`${source}: the ${SPLITS[s]} split has no tokens`);
  });
  const train = splits[0]!;
  const counts = new Float64Array(words.size);
  for (let i = train.file.starts[train.first]!, to = train.file.starts[train.end]!; i < to; i++) counts[train.file.ids[i]!]!++;
  const specials = new Set(SPECIALS.map((w) => words.find(w)).filter((id) => id >= 0));
  const kept: number[] = [];
  for (let id = 0; id < words.size; id++) if (counts[id]! >= minCount && !specials.has(id)) kept.push(id);
  kept.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const vocab = new Vocabulary([...SPECIALS, ...kept.map((id) => words.word(id))]);
  // Provisional id → vocabulary id; words left out (and a literal <unk>) are <unk>.
  const map = new Int32Array(words.size).fill(UNK_ID);
  kept.forEach((id, i) => {
    map[id] = SPECIALS.length + i;
  });
  const encoded = splits.map((range): EncodedSplit => {
    const { file, first, end } = range;
    const from = file.starts[first]!;
    const to = file.starts[end]!;
    // In place: each split is its own range of the file's ids, mapped once (no second copy of a large text).
    const tokens = file.ids.subarray(from, to);
    let unk = 0;
    for (let i = 0; i < tokens.length; i++) {
      const id = map[tokens[i]!]!;
      if (id === UNK_ID) unk++;
      tokens[i] = id;
    }
    const starts = new Int32Array(end - first + 1);
    let characters = 0;
    for (let l = first; l < end; l++) {
      starts[l - first] = file.starts[l]! - from;
      characters += file.characters[l]!;
    }
    starts[end - first] = to - from;
    return { tokens, starts, unk, characters };
  });
  return { name, level: 'word', vocab, train: encoded[0]!, valid: encoded[1]!, test: encoded[2]! };
}
