import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../../errors/user-error.ts';
import { BOS, BOS_ID, EOS, SPECIALS, UNK, Vocabulary } from '../../corpora/vocabulary.ts';
import { childOffsets, orderByParentThenWord } from './counting-sort.ts';
import { NgramModel } from './model.ts';
import { MAX_ORDER } from './plugin.ts';
import type { Quantisation } from './quantisation.ts';
import { NgramTrie } from './trie.ts';

/** KenLM's stand-in log10 probability for an ARPA file without `<unk>`. */
export const MISSING_UNK_LOG10 = -100;

export interface ArpaModel {
  readonly model: NgramModel;
  readonly vocab: Vocabulary;
  /** Things KenLM would warn about too (a missing `<unk>`, positive log-probabilities). */
  readonly warnings: string[];
}

/** Read a whole file, gunzipping it if it is gzip, as UTF-8 text. */
function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new UserError(`${path}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${path}: not valid UTF-8`);
  }
}

/** Lines with their 1-based numbers, for error messages. */
class Lines {
  private at = 0;
  private readonly lines: string[];
  constructor(
    text: string,
    private readonly path: string,
  ) {
    this.lines = text.split('\n');
  }
  get number(): number {
    return this.at;
  }
  /** The next line that is not blank, trimmed of the line end; undefined at the end. */
  next(): string | undefined {
    while (this.at < this.lines.length) {
      const line = this.lines[this.at++]!.replace(/\r$/, '');
      if (line.trim() !== '') return line;
    }
    return undefined;
  }
  fail(message: string): never {
    throw new UserError(`${this.path}: line ${this.at}: ${message}`);
  }
}

function parseLog10(field: string | undefined, lines: Lines, what: string): number {
  const v = field === '-inf' || field === '-Infinity' ? -Infinity : Number(field);
  if (field === undefined || field === '' || Number.isNaN(v)) lines.fail(`${what} "${field ?? ''}" is not a number`);
  return v;
}

/**
 * Load an ARPA file (plain or gzipped) as an n-gram model that scores as KenLM's `query` does: the longest
 * stored n-gram, times the back-off weights of the longer contexts. Its vocabulary is the file's unigrams
 * (specials first); words outside it are `<unk>` when text is encoded with it. `<s>` is never predicted
 * (probability 0, whatever placeholder the file holds). Every n-gram's context must be listed, as in files
 * from KenLM and SRILM.
 */
export interface ArpaOptions {
  /** Quantise the values as KenLM's `build_binary -q P -b B` does (quantisation.ts); unset = floats. */
  readonly quantisation?: Quantisation;
}

export function readArpa(path: string, options: ArpaOptions = {}): ArpaModel {
  const lines: Lines = new Lines(readText(path), path);
  const warnings: string[] = [];
  let line = lines.next();
  while (line !== undefined && line.trim() !== '\\data\\') line = lines.next();
  if (line === undefined) throw new UserError(`${path}: not an ARPA file (no \\data\\ section)`);

  const declared: number[] = [];
  for (line = lines.next(); line?.startsWith('ngram '); line = lines.next()) {
    const m = /^ngram\s+(\d+)\s*=\s*(\d+)\s*$/.exec(line);
    if (!m || Number(m[1]) !== declared.length + 1) lines.fail(`expected "ngram ${declared.length + 1}=COUNT", got "${line}"`);
    declared.push(Number(m[2]));
  }
  const order = declared.length;
  if (order === 0) lines.fail('the \\data\\ section lists no n-gram counts');
  if (order > MAX_ORDER) lines.fail(`order ${order} is above the highest order this reader supports (${MAX_ORDER})`);

  // Unigrams: the vocabulary.
  if (line?.trim() !== '\\1-grams:') lines.fail(`expected "\\1-grams:", got "${line ?? 'end of file'}"`);
  const unigramWords: string[] = [];
  const unigramProb: number[] = [];
  const unigramBackoff: number[] = [];
  for (let i = 0; i < declared[0]!; i++) {
    const fields = (lines.next() ?? lines.fail(`the file ends inside the 1-grams (${i} of ${declared[0]})`)).trim().split(/\s+/);
    if (fields.length < 2 || fields.length > 3) lines.fail(`a 1-gram line has ${fields.length} fields, expected 2 or 3`);
    unigramWords.push(fields[1]!);
    unigramProb.push(parseLog10(fields[0], lines, 'log10 probability'));
    unigramBackoff.push(fields.length === 3 ? parseLog10(fields[2], lines, 'log10 back-off') : 0);
  }
  const seen = new Set<string>();
  for (const w of unigramWords) {
    if (seen.has(w)) throw new UserError(`${path}: the word "${w}" is listed twice among the 1-grams`);
    seen.add(w);
  }
  for (const special of [BOS, EOS]) if (!seen.has(special)) throw new UserError(`${path}: the 1-grams have no ${special}`);
  if (!seen.has(UNK)) warnings.push(`${path}: no <unk> among the 1-grams; it gets log10 p = ${MISSING_UNK_LOG10}, as KenLM substitutes`);
  const vocab = new Vocabulary([...SPECIALS, ...unigramWords.filter((w) => !SPECIALS.includes(w))]);
  const V = vocab.size;
  const logProb: Float32Array[] = [new Float32Array(V).fill(MISSING_UNK_LOG10)];
  const logBackoff: Float32Array[] = [];
  const unigramBackoffs = new Float32Array(V);
  let positive = 0;
  unigramWords.forEach((w, i) => {
    const id = vocab.id(w);
    if (unigramProb[i]! > 0) positive++;
    logProb[0]![id] = Math.min(0, unigramProb[i]!);
    unigramBackoffs[id] = unigramBackoff[i]!;
  });
  logProb[0]![BOS_ID] = -Infinity;
  if (order > 1) logBackoff.push(unigramBackoffs);

  const words: Int32Array[] = [new Int32Array(0)];
  const childStart: Uint32Array[] = [];
  let trie = new NgramTrie(V, words, childStart);
  for (let k = 2; k <= order; k++) {
    line = lines.next();
    if (line?.trim() !== `\\${k}-grams:`) lines.fail(`expected "\\${k}-grams:", got "${line ?? 'end of file'}"`);
    const n = declared[k - 1]!;
    const parents = new Int32Array(n);
    const lastWords = new Int32Array(n);
    const lp = new Float32Array(n);
    const bo = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const text = (lines.next() ?? lines.fail(`the file ends inside the ${k}-grams (${i} of ${n})`)).trim();
      const fields = text.split(/\s+/);
      if (fields.length < k + 1 || fields.length > k + 2) lines.fail(`a ${k}-gram line has ${fields.length} fields, expected ${k + 1} or ${k + 2}`);
      let node = 0;
      for (let j = 1; j <= k; j++) {
        const w = fields[j]!;
        if (!seen.has(w) && w !== UNK) lines.fail(`the word "${w}" is not among the 1-grams`);
        const id = vocab.id(w);
        if (j === k) {
          lastWords[i] = id;
        } else {
          node = trie.child(j - 1, node, id);
          if (node < 0)
            lines.fail(`the ${k}-gram "${fields.slice(1, k + 1).join(' ')}" has no ${k - 1}-gram "${fields.slice(1, k).join(' ')}" listed (its context)`);
        }
      }
      parents[i] = node;
      const p = parseLog10(fields[0], lines, 'log10 probability');
      if (p > 0) positive++;
      lp[i] = Math.min(0, p);
      bo[i] = fields.length === k + 2 ? parseLog10(fields[k + 1], lines, 'log10 back-off') : 0;
    }
    const parentCount = trie.size(k - 1);
    const sorted = orderByParentThenWord(parents, lastWords, parentCount, V);
    const sortedParents = new Int32Array(n);
    const sortedWords = new Int32Array(n);
    const sortedLp = new Float32Array(n);
    const sortedBo = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const from = sorted[i]!;
      sortedParents[i] = parents[from]!;
      sortedWords[i] = lastWords[from]!;
      sortedLp[i] = lp[from]!;
      sortedBo[i] = bo[from]!;
      if (i > 0 && sortedParents[i] === sortedParents[i - 1] && sortedWords[i] === sortedWords[i - 1]) {
        throw new UserError(`${path}: a ${k}-gram ending in "${vocab.word(sortedWords[i]!)}" is listed twice`);
      }
    }
    words.push(sortedWords);
    childStart.push(childOffsets(sortedParents, parentCount));
    logProb.push(sortedLp);
    if (k < order) logBackoff.push(sortedBo);
    trie = new NgramTrie(V, words, childStart);
  }
  line = lines.next();
  if (line?.trim() !== '\\end\\') lines.fail(`expected "\\end\\" after the ${order}-grams, got "${line ?? 'end of file'}"`);
  if (positive > 0) warnings.push(`${path}: ${positive} positive log10 probabilities were set to 0, as KenLM does`);

  const bits = options.quantisation ? { probBits: options.quantisation.probBits, backoffBits: options.quantisation.backoffBits } : {};
  const model = new NgramModel({ order, smoothing: 'arpa', ...bits }, vocab, { kind: 'backoff', trie, logProb, logBackoff }, { source: path });
  return { model, vocab, warnings };
}
