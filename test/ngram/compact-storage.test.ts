import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { evaluate } from '../../harness/metrics.ts';
import { type JsonValue, loadCheckpoint, saveCheckpoint } from '../../models/checkpoint.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import { writeArpa } from '../../models/ngram/arpa-write.ts';
import { BackoffScorer } from '../../models/ngram/backoff-scorer.ts';
import { FloatValues, QuantisedValues } from '../../models/ngram/backoff-values.ts';
import { bitsFor, PackedInts } from '../../models/ngram/bit-packing.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import { PackedTrie } from '../../models/ngram/packed-trie.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import { backoffCodebook, encode, encodeBackoff, equalCountCentres, probCodebook } from '../../models/ngram/quantisation.ts';
import { type BackoffTables, tablesToArrays } from '../../models/ngram/tables.ts';
import type { Scorer } from '../../models/types.ts';
import { expectQueryTokens, KENLM_DIR, referenceCorpus, scoreTokens, trainNgram } from './helpers.ts';

const QUANTISED_DIR = fileURLToPath(new URL('../fixtures/kenlm-quantised/', import.meta.url));
const corpus = referenceCorpus('open');
const dir = mkdtempSync(join(tmpdir(), 'ngram-compact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function perToken(scorer: Scorer): Float64Array {
  const out = new Float64Array(corpus.test.tokens.length + corpus.test.starts.length - 1);
  evaluate(scorer, corpus.test, { mode: 'sentence', perToken: out });
  return out;
}

describe('bit packing', () => {
  it('reads back every value at every width, values straddling two words included', () => {
    for (const bits of [1, 3, 7, 8, 13, 17, 24, 31, 32]) {
      const max = 2 ** bits - 1;
      const values = Array.from({ length: 101 }, (_, i) => (i * 2654435761) % (max + 1));
      values[0] = max;
      const packed = PackedInts.of(values, bits);
      expect(packed.data.length).toBe(Math.ceil((101 * bits) / 32));
      expect(Array.from(packed.toUint32Array())).toEqual(values);
      // The one-pass packer writes the same words as setting each value in turn.
      const one = new PackedInts(bits, values.length, new Uint32Array(packed.data.length));
      for (const [i, v] of values.entries()) one.set(i, v);
      expect(Array.from(packed.data)).toEqual(Array.from(one.data));
    }
    expect(() => PackedInts.of([8], 3)).toThrow(/does not fit in 3 bits/);
  });

  it('gives the widths of KenLM’s trie: ⌈log2 (max + 1)⌉ bits', () => {
    expect([0, 1, 2, 3, 4, 255, 256, 2 ** 20 - 1, 2 ** 20].map(bitsFor)).toEqual([1, 1, 2, 2, 3, 8, 9, 20, 21]);
    // 10,727 words: ids up to 10,726 need 14 bits.
    expect(PackedTrie.wordBits(10_727)).toBe(14);
  });
});

describe('the packed trie', () => {
  it('scores every test token exactly as the plain trie does (mkn order 4), distributions included', async () => {
    const model = await trainNgram(corpus, { order: 4, smoothing: 'mkn' });
    const plain = model.tables as BackoffTables;
    const unpacked = new BackoffScorer(plain.trie, new FloatValues(plain.logProb, plain.logBackoff));
    expect(model.storage.trie).toBeInstanceOf(PackedTrie);
    expect(Array.from(perToken(model.scorer()))).toEqual(Array.from(perToken(unpacked)));
    const a = new Float64Array(corpus.vocab.size);
    const b = new Float64Array(corpus.vocab.size);
    const packed = model.scorer();
    for (const t of corpus.test.tokens.subarray(0, 40)) {
      packed.feed(t);
      unpacked.feed(t);
      packed.distribution(a);
      unpacked.distribution(b);
      expect(a).toEqual(b);
    }
  });

  it('holds words and offsets in ⌈log2 V⌉ and ⌈log2 (next order + 1)⌉ bits: under half the plain trie here', async () => {
    const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn' });
    const trie = model.storage.trie as PackedTrie;
    const [n1, n2, n3] = model.ngramCounts() as [number, number, number];
    expect(trie.words.map((w) => w.bits)).toEqual([14, 14]);
    expect(trie.childStart.map((c) => c.bits)).toEqual([bitsFor(n2), bitsFor(n3)]);
    const plainBytes = (model.tables as BackoffTables).trie.byteSize();
    expect(plainBytes).toBe(4 * (n2 + n3) + 4 * (n1 + 1 + n2 + 1));
    const packed = (count: number, bits: number): number => 4 * Math.ceil((count * bits) / 32);
    expect(trie.byteSize()).toBe(packed(n2, 14) + packed(n3, 14) + packed(n1 + 1, bitsFor(n2)) + packed(n2 + 1, bitsFor(n3)));
    expect(trie.byteSize() / plainBytes).toBeLessThan(0.5);
  });
});

describe('quantisation codebooks (KenLM lm/quantize.cc)', () => {
  it('centres are the means of equal-count bins of the sorted values, bin i ending at ⌊n (i + 1) / bins⌋', () => {
    // Sorted: −10 … −1; bins end at 2, 5, 7, 10: {−10, −9}, {−8, −7, −6}, {−5, −4}, {−3, −2, −1}.
    const values = Float32Array.from([-1, -2, -3, -4, -5, -6, -7, -8, -9, -10]);
    expect(Array.from(equalCountCentres(values, 4))).toEqual([-9.5, -7, -4.5, -2]);
    expect(Array.from(probCodebook(Float32Array.from([-0.5, -0.25, -4, -1]), 1))).toEqual([-2.5, -0.375]);
  });

  it('fewer values than bins: an empty bin repeats the centre before it, the first is −∞', () => {
    // Bins end at ⌊2·1/4⌋ = 0, 1, 1, 2.
    expect(Array.from(equalCountCentres(Float32Array.from([-3, -1]), 4))).toEqual([-Infinity, -3, -3, -1]);
  });

  it('encodes a value as its nearest centre, a tie to the upper one, beyond the ends to the end codes', () => {
    const centres = Float32Array.from([-9.5, -7, -4.5, -2]);
    expect([-20, -9.5, -8.3, -8.25, -8.2, -3.25, -2, 0].map((v) => encode(centres, v))).toEqual([0, 0, 0, 1, 1, 3, 3, 3]);
  });

  it('back-off weights: codes 0 and 1 are the exact zero, the other centres are trained on the non-zero weights', () => {
    const backoffs = Float32Array.from([0, -0.5, 0, -0.1, -0.3, 0.2, 0]);
    const centres = backoffCodebook(backoffs, 2);
    // Non-zero, sorted: −0.5, −0.3, −0.1, 0.2 in 2 bins: {−0.5, −0.3}, {−0.1, 0.2}.
    expect(Array.from(centres)).toEqual([0, 0, Math.fround(-0.4), Math.fround(0.05)]);
    expect(Array.from(backoffs, (b) => encodeBackoff(centres, b))).toEqual([0, 2, 0, 3, 2, 3, 0]);
  });
});

describe('a quantised model (probBits 8, backoffBits 8)', () => {
  it('keeps unigrams and zero back-offs exact and stores each higher value as one of its order’s 256 centres', async () => {
    const plain = await trainNgram(corpus, { order: 3, smoothing: 'mkn' });
    const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn', probBits: 8, backoffBits: 8 });
    const values = model.storage.kind === 'packed' ? model.storage.values : undefined;
    expect(values).toBeInstanceOf(QuantisedValues);
    const q = values as QuantisedValues;
    const exact = plain.tables as BackoffTables;
    const decoded = model.tables as BackoffTables;
    expect(decoded.logProb[0]).toEqual(exact.logProb[0]);
    expect(decoded.logBackoff[0]).toEqual(exact.logBackoff[0]);
    for (const k of [2, 3]) {
      const centres = new Set(q.probCentres[k - 2]);
      expect(centres.size).toBeLessThanOrEqual(256);
      expect(decoded.logProb[k - 1]!.every((v) => centres.has(v))).toBe(true);
      // Each value is stored as its nearest centre (single-precision differences, as KenLM computes them).
      const c = q.probCentres[k - 2]!;
      exact.logProb[k - 1]!.forEach((v, i) => {
        const nearest = Math.min(...Array.from(c, (centre) => Math.abs(Math.fround(v - centre))));
        expect(Math.abs(Math.fround(v - decoded.logProb[k - 1]![i]!))).toBe(nearest);
      });
    }
    const zero = Array.from(exact.logBackoff[1]!.keys()).filter((i) => exact.logBackoff[1]![i] === 0);
    expect(zero.length).toBeGreaterThan(0);
    expect(zero.every((i) => decoded.logBackoff[1]![i] === 0)).toBe(true);
    // Per higher n-gram 1 byte of p (and 1 of b below the highest order) instead of 4 (and 4).
    const [n1, n2, n3] = model.ngramCounts() as [number, number, number];
    const codes = (count: number): number => 4 * Math.ceil(count / 4);
    const centres = 3 * 256 * 4;
    expect(model.byteSize()).toBe(plain.byteSize() - 4 * (2 * n2 + n3) + 2 * codes(n2) + codes(n3) + centres);
    const test = evaluate(model.scorer(), corpus.test, { mode: 'sentence' }).perplexity;
    const reference = evaluate(plain.scorer(), corpus.test, { mode: 'sentence' }).perplexity;
    expect(test / reference - 1).toBeGreaterThan(0);
    expect(test / reference - 1).toBeLessThan(0.03);
    expect(n1).toBe(corpus.vocab.size);
  });

  it('read from lmplz’s ARPA file, scores every token as KenLM’s build_binary -q 8 -b 8 trie + query', () => {
    const { model } = readArpa(`${KENLM_DIR}open/order3.arpa.gz`, { quantisation: { probBits: 8, backoffBits: 8 } });
    expectQueryTokens(model, `${QUANTISED_DIR}query-q8b8-order3-test.txt.gz`);
    const summary = gunzipSync(readFileSync(`${QUANTISED_DIR}query-q8b8-order3-test.txt.gz`)).toString('utf8');
    const theirs = Number(/Perplexity including OOVs:\s+(\S+)/.exec(summary)![1]);
    const { log10 } = scoreTokens(model);
    const ours = 10 ** (-log10.reduce((a, b) => a + b, 0) / log10.length);
    expect(Math.abs(ours / theirs - 1)).toBeLessThan(1e-6);
    // 695.19 against 682.93 unquantised (test/fixtures/kenlm/perplexities.json): what 8 bits cost KenLM.
    expect(theirs).toBeCloseTo(695.1947, 3);
  });

  it('round-trips through a checkpoint: the same codes, centres, bytes and log-probabilities', async () => {
    const model = await trainNgram(corpus, { order: 4, smoothing: 'kn-backoff', probBits: 8, backoffBits: 6 });
    const path = join(dir, 'quantised');
    saveCheckpoint(path, model.toCheckpoint());
    const loaded = ngramPlugin.fromCheckpoint(loadCheckpoint(path)) as NgramModel;
    expect(loaded.hyperParameters).toEqual(model.hyperParameters);
    expect(loaded.byteSize()).toBe(model.byteSize());
    expect((loaded.storage.kind === 'packed' && loaded.storage.values) as QuantisedValues).toEqual(model.storage.kind === 'packed' && model.storage.values);
    expect(perToken(loaded.scorer())).toEqual(perToken(model.scorer()));
  });

  it('loads a checkpoint of the plain arrays (kind "backoff", written before the packed trie) into the packed trie', async () => {
    const model = await trainNgram(corpus, { order: 3, smoothing: 'mkn' });
    const packed = model.toCheckpoint();
    const plain = { ...packed, meta: { ...(packed.meta as Record<string, JsonValue>), kind: 'backoff' }, arrays: tablesToArrays(model.tables) };
    const path = join(dir, 'plain');
    saveCheckpoint(path, plain);
    const loaded = ngramPlugin.fromCheckpoint(loadCheckpoint(path)) as NgramModel;
    expect(loaded.storage.kind).toBe('packed');
    expect(loaded.byteSize()).toBe(model.byteSize());
    expect(perToken(loaded.scorer())).toEqual(perToken(model.scorer()));
  });

  it('exports the quantised values to ARPA, which reads back scoring the same', async () => {
    const model = await trainNgram(corpus, { order: 3, smoothing: 'witten-bell', probBits: 8 });
    const path = join(dir, 'quantised.arpa');
    writeArpa(model, path);
    const { model: read } = readArpa(path);
    const test = perToken(model.scorer());
    const again = perToken(read.scorer());
    expect(again).toEqual(test);
    // The file holds at most 256 distinct log10 p among the bigrams.
    const bigrams = readFileSync(path, 'utf8').split('\\3-grams:')[0]!.split('\\2-grams:')[1]!.trim().split('\n');
    expect(new Set(bigrams.map((l) => l.split('\t')[0])).size).toBeLessThanOrEqual(256);
  });
});

describe('quantisation options', () => {
  const vocab = corpus.vocab;
  it.each([
    [{ order: 3, smoothing: 'mkn', backoffBits: 8 }, /backoffBits.*goes with probBits/],
    [{ order: 3, smoothing: 'add-k', probBits: 8 }, /probBits.*"add-k" stores counts/],
    [{ order: 3, smoothing: 'mkn', probBits: 26 }, /probBits/],
    [{ order: 3, smoothing: 'mkn', probBits: 8, backoffBits: 1 }, /backoffBits/],
  ])('%j is a UserError naming the option', (hp, message) => {
    expect(() => ngramPlugin.create(hp, vocab)).toThrow(UserError);
    expect(() => ngramPlugin.create(hp, vocab)).toThrow(message);
  });
});
