import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCorpus, encodeSentences, type EncodedCorpus } from '../../corpora/corpus.ts';
import { type CorpusOptions, loadCorpus } from '../../corpora/load.ts';
import { encodeTextWithVocabulary, loadEncodedCorpus } from '../../corpora/load-encoded.ts';
import { readLines, tokenize } from '../../corpora/text-file.ts';
import { Vocabulary } from '../../corpora/vocabulary.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-load-encoded-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** The corpus as plain data, so a difference shows as one. */
function plain(c: EncodedCorpus): unknown {
  const split = (s: EncodedCorpus['train']) => ({ tokens: Array.from(s.tokens), starts: Array.from(s.starts), unk: s.unk, characters: s.characters });
  return { name: c.name, level: c.level, words: c.vocab.words, train: split(c.train), valid: split(c.valid), test: split(c.test) };
}

function same(spec: string, options: CorpusOptions = {}): EncodedCorpus {
  const fast = loadEncodedCorpus(spec, options);
  expect(plain(fast)).toEqual(plain(encodeCorpus(loadCorpus(spec, options))));
  return fast;
}

function sameError(spec: string, options: CorpusOptions = {}): string {
  let expected = '';
  try {
    encodeCorpus(loadCorpus(spec, options));
  } catch (e) {
    expected = (e as Error).message;
  }
  expect(expected).not.toBe('');
  expect(() => loadEncodedCorpus(spec, options)).toThrow(expected);
  return expected;
}

// Words separated by every kind of white space JavaScript's \s knows (NBSP, ideographic space, BOM, U+2028…),
// CRLF and lone CR, blank and space-only lines, a literal <unk>, accents and an astral-plane character.
const TRICKY =
  '\ufeffthe cat\u00a0sat\r\n\n  \t \nthe dog\u3000sat on\u2028the mat\r\nle café 𝄞 the <unk> cat\n\u2003\nthe\u200acat\u205fsat\rdown\n' +
  'a b a b a\nnaïve naïve cat\nthe end\nthe cat again\ndog and cat\nthe last\nline\n';

describe('loadEncodedCorpus: the corpus encodeCorpus(loadCorpus(…)) gives, without a string per word', () => {
  it('text: with Unicode white space, CRLF, blank lines, <unk> and fractions', () => {
    const path = file('tricky.txt', TRICKY);
    const c = same(`text:${path}`);
    expect(c.vocab.words.slice(0, 5)).toEqual(['<unk>', '<s>', '</s>', 'the', 'cat']);
    expect(c.train.unk).toBe(1);
    same(`text:${path}`, { fractions: [0.5, 0.25, 0.25] });
    same(`text:${path}`, { minCount: 2 });
  });

  it('files: three files, words of valid and test unseen in train become <unk>', () => {
    const train = file('train.txt', 'a b c a\nb a d\n');
    const valid = file('valid.txt', 'a e f\n\n');
    const test = file('test.txt', 'g a b\r\nc\n');
    const c = same(`files:${train},${valid},${test}`);
    expect(c.valid.unk).toBe(2);
    expect(Array.from(c.test.tokens)).toEqual([0, 3, 4, 5]);
    same(`files:${train},${valid},${test}`, { minCount: 2 });
  });

  it('the same errors: literal markers, empty files and splits, bad UTF-8, missing files', () => {
    const ok = file('ok.txt', 'a b\n');
    expect(sameError(`files:${file('bos.txt', 'a <s> b\n')},${ok},${ok}`)).toContain('literal <s>');
    expect(sameError(`files:${ok},${file('eos.txt', 'a </s>\n')},${ok}`)).toContain('valid split contains a literal </s>');
    expect(sameError(`files:${ok},${file('blank.txt', ' \n\u3000\n')},${ok}`)).toContain('empty corpus');
    expect(sameError(`text:${file('two.txt', 'a b\nc d\n')}`)).toContain('2 non-blank lines');
    expect(sameError(`files:${ok},${file('bad.txt', Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a]))},${ok}`)).toContain('line 2 is not valid UTF-8');
    expect(sameError(`files:${ok},${join(dir, 'missing.txt')},${ok}`)).toContain('no such file');
    sameError(`text:${ok}`, { minCount: 0 });
  });

  it('eval --text: a file read with a model’s vocabulary, as encodeSentences(readLines(…)) reads it', () => {
    const path = file('eval-tricky.txt', TRICKY);
    // A vocabulary from other text: some words of the file are in it, some are not (and <unk> is literal).
    const vocab = new Vocabulary(['<unk>', '<s>', '</s>', 'the', 'cat', 'café', '𝄞', 'naïve', 'zebra']);
    const fast = encodeTextWithVocabulary(path, vocab);
    const slow = encodeSentences(
      readLines(path).map((l) => tokenize(l, 'word')),
      vocab,
      'word',
    );
    const plainSplit = (x: typeof fast) => ({ tokens: Array.from(x.tokens), starts: Array.from(x.starts), unk: x.unk, characters: x.characters });
    expect(plainSplit(fast)).toEqual(plainSplit(slow));
    expect(fast.unk).toBeGreaterThan(10);
    expect(fast.starts.length - 1).toBe(11);
    expect(() => encodeTextWithVocabulary(file('eval-bad.txt', Buffer.from([0x61, 0x0a, 0xff])), vocab)).toThrow(/eval-bad\.txt: line 2 is not valid UTF-8/);
  });
});
