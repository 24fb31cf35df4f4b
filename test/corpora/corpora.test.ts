import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brownCorpus, brownSentences } from '../../corpora/brown.ts';
import { encodeCorpus, predictedTokens } from '../../corpora/corpus.ts';
import { loadCorpus } from '../../corpora/load.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { EOS_ID, UNK_ID, Vocabulary } from '../../corpora/vocabulary.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-corpora-'));
function file(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('Vocabulary', () => {
  it('puts the specials first, orders by count, and maps rare and unseen words to <unk>', () => {
    const v = Vocabulary.build(
      [
        ['b', 'a', 'b'],
        ['c', 'b', 'a', '<unk>'],
      ],
      2,
    );
    expect(v.words).toEqual(['<unk>', '<s>', '</s>', 'b', 'a']);
    expect(v.id('c')).toBe(UNK_ID);
    expect(v.id('never')).toBe(UNK_ID);
    expect(v.id('<unk>')).toBe(UNK_ID);
    expect(v.id('</s>')).toBe(EOS_ID);
  });

  it('rejects a min-count below 1', () => {
    expect(() => Vocabulary.build([['a']], 0)).toThrow(/--min-count/);
  });
});

describe('Brown (Bengio et al. 2003 split)', () => {
  it('strips tags, keeps case and follows cats.txt order', () => {
    const s = brownSentences();
    expect(s[0]!.slice(0, 6)).toEqual(['The', 'Fulton', 'County', 'Grand', 'Jury', 'said']);
    expect(s.length).toBe(57340);
    expect(s.reduce((n, x) => n + x.length, 0)).toBe(1161192);
  });

  it('takes 800,000 train words, 200,000 valid words, and maps train words seen ≤ 3 times to <unk>', () => {
    const c = encodeCorpus(brownCorpus());
    expect(c.train.tokens.length).toBe(800001);
    expect(c.valid.tokens.length).toBe(200021);
    expect(c.test.tokens.length).toBe(161170);
    expect(c.vocab.size).toBe(14116);
    // Every vocabulary word is seen at least 4 times in train.
    const counts = new Int32Array(c.vocab.size);
    for (const t of c.train.tokens) counts[t]!++;
    for (let id = 3; id < c.vocab.size; id++) expect(counts[id]).toBeGreaterThanOrEqual(4);
    expect(counts[UNK_ID]).toBe(c.train.unk);
    expect(predictedTokens(c.test)).toBe(161170 + 10127);
  });
});

describe('toy corpora', () => {
  it('are character level, one sentence used for every split', () => {
    const c = encodeCorpus(toyCorpus('hihello'));
    expect(c.level).toBe('char');
    expect(c.vocab.words.slice(3).sort()).toEqual(['e', 'h', 'i', 'l', 'o']);
    expect(Array.from(c.test.tokens, (t) => c.vocab.word(t)).join('')).toBe('hihello');
    const ship = encodeCorpus(toyCorpus('ship'));
    expect(ship.train.tokens.length).toBe(ship.test.tokens.length);
    expect(ship.vocab.has(' ')).toBe(true);
  });
});

describe('user corpora', () => {
  const text = file('text.txt', `${Array.from({ length: 10 }, (_, i) => `w${i % 3} x y${i}`).join('\n')}\n\n`);

  it('splits text:PATH by fractions in order, dropping blank lines', () => {
    const c = loadCorpus(`text:${text}`, { fractions: [0.6, 0.2, 0.2] });
    expect([c.train.length, c.valid.length, c.test.length]).toEqual([6, 2, 2]);
    expect(c.test[1]).toEqual(['w0', 'x', 'y9']);
    expect(c.minCount).toBe(1);
  });

  it('reads files:TRAIN,VALID,TEST, word or character level', () => {
    const a = file('a.txt', 'hello world\n');
    const b = file('b.txt', 'hello there\n');
    const c = encodeCorpus(loadCorpus(`files:${a},${b},${b}`));
    expect(c.valid.unk).toBe(1);
    const chars = loadCorpus(`files:${a},${b},${b}`, { level: 'char' });
    expect(chars.train[0]).toEqual(Array.from('hello world'));
  });

  it('names the file, line or option that is wrong', () => {
    expect(() => loadCorpus(`text:${join(dir, 'missing.txt')}`)).toThrow(/missing\.txt: no such file/);
    expect(() => loadCorpus(`text:${file('empty.txt', '\n \n')}`)).toThrow(/empty\.txt: empty corpus/);
    const bad = file('bad.txt', Buffer.concat([Buffer.from('good line\nsecond ok\n'), Buffer.from([0x61, 0xff, 0xfe, 0x0a])]));
    expect(() => loadCorpus(`text:${bad}`)).toThrow(/bad\.txt: line 3 is not valid UTF-8/);
    expect(() => loadCorpus(`text:${dir}`)).toThrow(/is a folder/);
    expect(() => loadCorpus(`text:${text}`, { minCount: 0 })).toThrow(/--min-count/);
    expect(() => loadCorpus('nonsense')).toThrow(UserError);
    expect(() => loadCorpus('brown', { minCount: 2 })).toThrow(/fixes its own/);
    expect(() => loadCorpus(`files:${text},${text}`)).toThrow(/three comma-separated/);
  });

  it('says that text: splits lines when a file has too few of them (a whole text on one line)', () => {
    const book = file('book.txt', Array.from({ length: 100_000 }, (_, i) => `w${i % 97}`).join(' '));
    expect(() => loadCorpus(`text:${book}`)).toThrow(
      new UserError(
        `${book}: has 1 non-blank line, so the valid and test splits get none. text: takes one sentence a line and splits the ` +
          'lines in order by --fractions (0.8,0.1,0.1: 1 train, 0 valid, 0 test); put each sentence on its own line, or name three ' +
          'files with files:TRAIN,VALID,TEST',
      ),
    );
    const two = file('two.txt', 'only one sentence here\nand another\n');
    expect(() => loadCorpus(`text:${two}`, { fractions: [0.5, 0.5, 0] })).toThrow(
      /two\.txt: has 2 non-blank lines, so the test split gets none\b.*\(0\.5,0\.5,0: 1 train, 1 valid, 0 test\)/,
    );
    // The same line as three files is a corpus: one sentence per split.
    expect(encodeCorpus(loadCorpus(`files:${book},${book},${book}`)).valid.tokens.length).toBe(100_000);
  });

  it('refuses literal sentence markers', () => {
    const marker = file('marker.txt', 'a <s> b\n');
    expect(() => encodeCorpus(loadCorpus(`files:${marker},${marker},${marker}`))).toThrow(/literal <s>/);
  });
});
