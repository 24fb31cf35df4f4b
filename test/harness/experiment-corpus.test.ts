import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brownCorpus } from '../../corpora/brown.ts';
import { encodeCorpus, predictedTokens } from '../../corpora/corpus.ts';
import { UNK_ID } from '../../corpora/vocabulary.ts';
import { BUNDLED_DIR, parseExperiment } from '../../harness/experiment/config.ts';
import { loadExperimentCorpus, vocabularySource } from '../../harness/experiment/corpus.ts';
import { corpusIdOf } from '../../harness/experiment/grid.ts';
import { trainCounts } from '../../harness/experiment/token-files.ts';
import { vocabularyRule } from '../../harness/report/corpora.ts';

describe('a slice of a corpus', () => {
  it('counts its vocabulary on the kept train sentences, or on the whole train split with vocabularyFrom', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-slice-'));
    writeFileSync(join(dir, 'train.txt'), 'a b a\na c a\nrare words here\n');
    writeFileSync(join(dir, 'other.txt'), 'a b\n');
    const entry = { spec: 'files:train.txt,other.txt,other.txt', trainWords: 6 };
    const kept = loadExperimentCorpus(entry, dir);
    expect(kept.train).toEqual([
      ['a', 'b', 'a'],
      ['a', 'c', 'a'],
    ]);
    expect(encodeCorpus(kept).vocab.has('rare')).toBe(false);
    expect(vocabularyRule(vocabularySource(kept))).toBe('every word in the 6 training words; the others are <unk>');

    const whole = loadExperimentCorpus({ ...entry, vocabularyFrom: 'whole-train' }, dir);
    expect(whole.train).toEqual(kept.train);
    const encoded = encodeCorpus(whole);
    expect(['rare', 'words', 'here'].every((w) => encoded.vocab.has(w))).toBe(true);
    // A word of the vocabulary the kept sentences never use is counted 0 times in training.
    expect(trainCounts(encoded)[encoded.vocab.id('rare')]).toBe(0);
    expect(vocabularyRule(vocabularySource(whole))).toBe('every word in the whole train split (9 words), before the slice was cut; the others are <unk>');
    // The option is part of the corpus's identity: its runs are other runs.
    expect(corpusIdOf({ ...entry, vocabularyFrom: 'whole-train' }, dir)).not.toBe(corpusIdOf(entry, dir));
    expect(() => parseExperiment({ corpora: [{ spec: 'ship', vocabularyFrom: 'all' }], models: [{ plugin: 'unigram' }] }, 'x.json')).toThrow(
      /x\.json: "corpora\[0\]"/,
    );
  });
});

describe('the default experiment', () => {
  it('has full Brown’s vocabulary, whose <unk> rate on its slice is close to full Brown’s, as its description says', () => {
    const path = join(BUNDLED_DIR, 'default.json');
    const config = parseExperiment(JSON.parse(readFileSync(path, 'utf8')), path);
    const entry = config.corpora[0]!;
    if (typeof entry === 'string') throw new Error('the default corpus is an object with a slice');
    const slice = loadExperimentCorpus(entry, BUNDLED_DIR);
    const encoded = encodeCorpus(slice);
    const full = encodeCorpus(brownCorpus());
    const rate = (unk: number, tokens: number): number => Math.round((10_000 * unk) / tokens) / 100;
    expect(encoded.vocab.words).toEqual(full.vocab.words);
    expect(encoded.vocab.size).toBe(14_116);
    expect([encoded.test.unk, predictedTokens(encoded.test)]).toEqual([1_654, 21_431]);
    expect(rate(encoded.test.unk, predictedTokens(encoded.test))).toBe(7.72);
    expect(rate(encoded.valid.unk, predictedTokens(encoded.valid))).toBe(8.05);
    expect(rate(trainCounts(encoded)[UNK_ID]!, predictedTokens(encoded.train))).toBe(6.8);
    expect(rate(full.test.unk, predictedTokens(full.test))).toBe(8.64);
    expect(rate(full.valid.unk, predictedTokens(full.valid))).toBe(8.77);
    // Words of the vocabulary the train slice never has: the `0` bucket of the frequency chart.
    const counts = trainCounts(encoded);
    const unseen = encoded.vocab.words.filter((_, id) => id > 2 && counts[id] === 0).length;
    let unseenInTest = 0;
    for (const id of encoded.test.tokens) if (id > 2 && counts[id] === 0) unseenInTest++;
    expect([unseen, unseenInTest]).toEqual([5_769, 785]);
    // Counted on the slice's own 100,000 words, the same rule made a fifth of the test slice <unk>.
    const own = encodeCorpus({ ...slice, vocabularySentences: undefined });
    expect([own.vocab.size, rate(own.test.unk, predictedTokens(own.test))]).toEqual([3_294, 19.58]);
    expect(vocabularyRule(vocabularySource(slice))).toBe(
      'the words seen at least 4 times in the whole train split (800,001 words), before the slice was cut; the others are <unk>',
    );
    expect(config.description).toContain('14,116 types, 7.7% <unk> in the test slice against 8.6% on full Brown');
  });
});
