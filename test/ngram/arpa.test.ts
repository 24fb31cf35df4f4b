import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCorpus, encodeSentences } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { evaluate } from '../../harness/metrics.ts';
import { trainModel } from '../../harness/train.ts';
import { loadCheckpoint, saveCheckpoint } from '../../models/checkpoint.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import { formatFloat32, writeArpa } from '../../models/ngram/arpa-write.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import { unigramPlugin } from '../../models/unigram/plugin.ts';
import { expectQueryTokens, KENLM_DIR, queryPerplexities, referenceCorpus, tinyCorpus, trainNgram } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'ngram-arpa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ln p of every test token of the open set, encoded with the model's own vocabulary. */
function perToken(model: NgramModel): Float64Array {
  const corpus = referenceCorpus('open');
  const sentences = [...Array(corpus.test.starts.length - 1)].map((_, s) =>
    Array.from(corpus.test.tokens.subarray(corpus.test.starts[s], corpus.test.starts[s + 1]), (id) => corpus.vocab.word(id)),
  );
  const split = encodeSentences(sentences, model.vocab, 'word');
  const out = new Float64Array(split.tokens.length + sentences.length);
  evaluate(model.scorer(), split, { mode: 'sentence', perToken: out });
  return out;
}

function writeText(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('ARPA import', () => {
  it('a KenLM ARPA file scores every token as KenLM query does', () => {
    const { model, vocab, warnings } = readArpa(`${KENLM_DIR}open/order3.arpa.gz`);
    expect(warnings).toEqual([]);
    expect(vocab.size).toBe(10727);
    expect(model.ngramCounts()).toEqual([10727, 42561, 58504]);
    expectQueryTokens(model);

    const ref = queryPerplexities()['open/order3']!;
    const lp = perToken(model);
    const perplexity = Math.exp(-lp.reduce((a, b) => a + b, 0) / lp.length);
    expect(lp.length).toBe(ref.tokens);
    expect(Math.abs(perplexity / ref.perplexity_including_oov - 1)).toBeLessThan(1e-6);
  });

  it('names the file and line of a malformed ARPA file', () => {
    const head = '\\data\\\nngram 1=4\nngram 2=2\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t0\n-0.5\ta\t-0.2\n\n\\2-grams:\n';
    const ok = writeText('ok.arpa', `${head}-0.3\t<s> a\n-0.2\ta </s>\n\n\\end\\\n`);
    expect(readArpa(ok).model.ngramCounts()).toEqual([4, 2]);
    expect(() => readArpa(writeText('nodata.arpa', 'hello\n'))).toThrow(/nodata\.arpa: not an ARPA file/);
    expect(() => readArpa(writeText('unknown.arpa', `${head}-0.3\t<s> b\n-0.2\ta </s>\n\\end\\\n`))).toThrow(
      /unknown\.arpa: line 12: the word "b" is not among the 1-grams/,
    );
    expect(() => readArpa(writeText('short.arpa', `${head}-0.3\t<s> a\n`))).toThrow(/short\.arpa: line \d+: the file ends inside the 2-grams \(1 of 2\)/);
    expect(() => readArpa(writeText('number.arpa', `${head}x\t<s> a\n-0.2\ta </s>\n\\end\\\n`))).toThrow(/line 12: log10 probability "x" is not a number/);
    const trigram =
      '\\data\\\nngram 1=4\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-1\t<unk>\t0\n0\t<s>\t-0.5\n-0.5\t</s>\t0\n-0.5\ta\t-0.2\n\n\\2-grams:\n-0.3\t<s> a\t-0.1\n\n\\3-grams:\n-0.1\ta a </s>\n\\end\\\n';
    expect(() => readArpa(writeText('context.arpa', trigram))).toThrow(/line 16: the 3-gram "a a <\/s>" has no 2-gram "a a" listed \(its context\)/);
    expect(() => readArpa(join(dir, 'missing.arpa'))).toThrow(UserError);
  });

  it('substitutes log10 p = -100 for a missing <unk>, as KenLM does, and says so', () => {
    const path = writeText('nounk.arpa', '\\data\\\nngram 1=3\n\n\\1-grams:\n0\t<s>\n-0.5\t</s>\n-0.2\ta\n\n\\end\\\n');
    const { model, warnings } = readArpa(path);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no <unk>/);
    const scorer = model.scorer();
    scorer.reset();
    expect(scorer.logProb(0) / Math.LN10).toBeCloseTo(-100, 4);
  });
});

describe('ARPA export', () => {
  it('estimate → export → import gives identical log-probabilities (plain and gzip)', async () => {
    const model = await trainNgram(referenceCorpus('open'), { order: 3, smoothing: 'mkn' });
    const before = perToken(model);
    for (const name of ['model.arpa', 'model.arpa.gz']) {
      const path = join(dir, name);
      writeArpa(model, path);
      const back = readArpa(path);
      expect(back.model.ngramCounts()).toEqual(model.ngramCounts());
      expect(perToken(back.model)).toEqual(before);
    }
  });

  const exported: Record<string, unknown>[] = [
    ...['witten-bell', 'absolute-discounting', 'katz', 'kn-backoff', 'mkn-backoff', 'jelinek-mercer'].map((smoothing) => ({ smoothing })),
    { smoothing: 'mkn', prune: [0, 1] },
    { smoothing: 'katz', prune: [0, 1, 2] },
  ];
  for (const hp of exported) {
    const name = `${hp.smoothing}${hp.prune ? `, prune ${String(hp.prune)}` : ''}`;
    it(`${name}: the exported ARPA file scores every test token as the model does`, async () => {
      const model = await trainNgram(referenceCorpus('open'), { order: 3, ...hp });
      const path = join(dir, `${name.replace(/\W+/g, '-')}.arpa`);
      writeArpa(model, path);
      const back = readArpa(path);
      expect(back.model.ngramCounts()).toEqual(model.ngramCounts());
      expect(perToken(back.model)).toEqual(perToken(model));
    });
  }

  it('writes the \\data\\ counts, <unk>, <s> with -99 and back-off weights below the highest order', async () => {
    const corpus = tinyCorpus(['a b', 'a b', 'b a', 'c']);
    const model = await trainNgram(corpus, { order: 2, smoothing: 'kn' });
    const path = join(dir, 'tiny.arpa');
    writeArpa(model, path);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.slice(0, 3)).toEqual(['\\data\\', 'ngram 1=6', 'ngram 2=8']);
    const unigrams = lines.slice(lines.indexOf('\\1-grams:') + 1, lines.indexOf('\\2-grams:') - 1);
    const bigrams = lines.slice(lines.indexOf('\\2-grams:') + 1, lines.indexOf('\\end\\') - 1);
    expect(unigrams).toHaveLength(6);
    expect(bigrams).toHaveLength(8);
    expect(unigrams.every((l) => l.split('\t').length === 3)).toBe(true);
    expect(bigrams.every((l) => l.split('\t').length === 2)).toBe(true);
    expect(unigrams.find((l) => l.split('\t')[1] === '<s>')!.split('\t')[0]).toBe('-99');
    const unk = unigrams.find((l) => l.split('\t')[1] === '<unk>')!.split('\t');
    // <unk> has no training count: only the uniform share γ(root)/|V′| (see smoothing.test.ts).
    const scorer = model.scorer();
    scorer.reset();
    scorer.feed(corpus.vocab.id('c'));
    expect(Number(unk[0])).toBeCloseTo(scorer.logProb(0) / Math.LN10 - Number(unigrams.find((l) => l.split('\t')[1] === 'c')!.split('\t')[2]), 6);
    expect(lines.at(-2)).toBe('\\end\\');
    expect(bigrams.map((l) => l.split('\t')[1]).sort()).toEqual(['<s> a', '<s> b', '<s> c', 'a </s>', 'a b', 'b </s>', 'b a', 'c </s>']);
  });

  it('refuses count models and writes nothing', async () => {
    const model = await trainNgram(tinyCorpus(['a b', 'b a']), { order: 2, smoothing: 'add-k' });
    const path = join(dir, 'addk.arpa');
    expect(() => writeArpa(model, path)).toThrow(/ARPA export needs a back-off model.*"add-k" keeps counts/);
    expect(() => readFileSync(path)).toThrow();
  });

  it('refuses other models and vocabularies with white space, and names the path it cannot write', async () => {
    const unigram = unigramPlugin.create({}, referenceCorpus('open').vocab);
    expect(() => writeArpa(unigram, join(dir, 'unigram.arpa'))).toThrow(/ARPA export needs an ngram model; this is a "unigram" model/);
    const chars = encodeCorpus(toyCorpus('ship'));
    const ship = ngramPlugin.create({ order: 2, smoothing: 'kn' }, chars.vocab);
    await trainModel(ship, chars, { seed: 1, mode: 'sentence' });
    expect(() => writeArpa(ship, join(dir, 'ship.arpa'))).toThrow(/the vocabulary has the token " ", which contains white space/);
    const model = await trainNgram(tinyCorpus(['a b', 'b a']), { order: 2, smoothing: 'kn', discountFallback: true });
    // Missing folders on the way are made; a file on the way is named.
    writeArpa(model, join(dir, 'new', 'folders', 'made.arpa.gz'));
    expect(readFileSync(join(dir, 'new', 'folders', 'made.arpa.gz')).length).toBeGreaterThan(0);
    writeFileSync(join(dir, 'a-file'), 'mine\n');
    expect(() => writeArpa(model, join(dir, 'a-file', 'dir.arpa.gz'))).toThrow(/--out .*a-file\/dir\.arpa\.gz: cannot be written \((ENOTDIR|EEXIST)\)/);
    expect(readFileSync(join(dir, 'a-file'), 'utf8')).toBe('mine\n');
    expect(() => writeArpa(model, join(dir, 'new'))).toThrow(/--out .*new: is a folder; ARPA export writes a file/);
  });

  it('prints the shortest decimal that reads back as the same float', () => {
    expect(formatFloat32(Math.fround(-4.670982))).toBe('-4.670982');
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(-Infinity)).toBe('-99');
    for (const v of [-1.2345678e-7, -3.3333333, -98.76543]) expect(Math.fround(Number(formatFloat32(Math.fround(v))))).toBe(Math.fround(v));
  });
});

describe('an ARPA-loaded model', () => {
  it('saves and loads as an ngram model with identical log-probabilities; it cannot be trained', async () => {
    const { model } = readArpa(`${KENLM_DIR}open/order3.arpa.gz`);
    const before = perToken(model);
    const path = join(dir, 'arpa-model');
    saveCheckpoint(path, model.toCheckpoint());
    const loaded = ngramPlugin.fromCheckpoint(loadCheckpoint(path)) as NgramModel;
    expect(loaded.hyperParameters).toEqual({ order: 3, smoothing: 'arpa' });
    expect(loaded.byteSize()).toBe(model.byteSize());
    expect(perToken(loaded)).toEqual(before);
    const corpus = referenceCorpus('open');
    await expect(trainNgram(corpus, { order: 3, smoothing: 'arpa' })).rejects.toThrow(/read from an ARPA file, not trained/);
    // gunzip is only used for reading: the file stays what KenLM wrote.
    expect(
      gunzipSync(readFileSync(`${KENLM_DIR}open/order3.arpa.gz`))
        .toString('utf8')
        .startsWith('\\data\\'),
    ).toBe(true);
  });
});
