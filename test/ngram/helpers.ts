import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { encodeCorpus, type Corpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import { loadCorpus } from '../../corpora/load.ts';
import { BOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { trainModel } from '../../harness/train.ts';
import { readArpa } from '../../models/ngram/arpa-read.ts';
import { BackoffScorer } from '../../models/ngram/backoff-scorer.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import type { BackoffTables } from '../../models/ngram/tables.ts';
import { ngramPlugin } from '../../models/ngram/plugin.ts';
import type { Protocol, Scorer } from '../../models/types.ts';

/** The committed copy of the KenLM reference set (see its README). */
export const KENLM_DIR = fileURLToPath(new URL('../fixtures/kenlm/', import.meta.url));

export type ReferenceSet = 'open' | 'closed';

/**
 * A reference set as a corpus: its train.txt, and its test.txt as valid and test (min-count 1), with
 * every word optionally rewritten.
 */
export function referenceCorpus(set: ReferenceSet, rewrite?: (word: string) => string): EncodedCorpus {
  const dir = `${KENLM_DIR}${set}`;
  const corpus = loadCorpus(`files:${dir}/train.txt,${dir}/test.txt,${dir}/test.txt`);
  if (!rewrite) return encodeCorpus(corpus);
  const map = (split: Corpus['train']): string[][] => split.map((s) => s.map(rewrite));
  return encodeCorpus({ ...corpus, train: map(corpus.train), valid: map(corpus.valid), test: map(corpus.test) });
}

export interface LmplzStatistics {
  /** N-grams per order (in a pruned model: the kept ones). */
  readonly counts: number[];
  /** N-grams per order before pruning ("kept/all"; the same as `counts` where nothing was pruned). */
  readonly estimated: number[];
  /** D1, D2, D3+ per order, as lmplz printed them. */
  readonly discounts: number[][];
}

/** Parse lmplz's statistics ("1 10727 D1=0.638456 D2=1.13242 D3+=1.38957", pruned: "2 6973/42561 D1=…" per order). */
export function parseLmplzStatistics(path: string): LmplzStatistics {
  const text = readFileSync(path, 'utf8');
  const counts: number[] = [];
  const estimated: number[] = [];
  const discounts: number[][] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)(?:\/(\d+))? D1=(\S+) D2=(\S+) D3\+=(\S+)$/.exec(line.trim());
    if (!m) continue;
    counts.push(Number(m[2]));
    estimated.push(Number(m[3] ?? m[2]));
    discounts.push([Number(m[4]), Number(m[5]), Number(m[6])]);
  }
  return { counts, estimated, discounts };
}

export function lmplzStatistics(set: ReferenceSet, order: number): LmplzStatistics {
  return parseLmplzStatistics(`${KENLM_DIR}${set}/discounts-order${order}.txt`);
}

/**
 * Every n-gram of the ARPA file lmplz wrote is in the model with the same log10 p and back-off weight (to
 * 1e-6: single precision printed with ~8 digits), and the model has no other n-grams.
 */
export function expectSameAsArpa(model: NgramModel, arpaPath: string): void {
  const arpa = readArpa(arpaPath).model;
  expect(model.ngramCounts()).toEqual(arpa.ngramCounts());
  const ours = model.tables;
  const theirs = arpa.tables;
  if (ours.kind !== 'backoff' || theirs.kind !== 'backoff') throw new Error('expected back-off tables');
  const order = ours.trie.order;
  let worst = 0;
  let compared = 0;
  for (let k = 1; k <= order; k++) {
    theirs.trie.forEachNgram(k, (i, arpaIds) => {
      const words = Array.from(arpaIds, (id) => model.vocab.id(arpa.vocab.word(id)));
      const j = ours.trie.find(words);
      expect(j).toBeGreaterThanOrEqual(0);
      if (k === 1 && words[0] === BOS_ID) return; // <s>: never predicted here, a placeholder in the file
      worst = Math.max(worst, Math.abs(ours.logProb[k - 1]![j]! - theirs.logProb[k - 1]![i]!));
      if (k < order) worst = Math.max(worst, Math.abs(ours.logBackoff[k - 1]![j]! - theirs.logBackoff[k - 1]![i]!));
      compared++;
    });
  }
  expect(compared).toBe(arpa.ngramCounts().reduce((a, b) => a + b, 0) - 1);
  expect(worst).toBeLessThan(1e-6);
}

export interface QuerySummary {
  readonly perplexity_including_oov: number;
  readonly perplexity_excluding_oov: number;
  readonly oov: number;
  readonly tokens: number;
}

export function queryPerplexities(): Record<string, QuerySummary> {
  return JSON.parse(readFileSync(`${KENLM_DIR}perplexities.json`, 'utf8')) as Record<string, QuerySummary>;
}

/** A corpus from literal sentences (space-separated words), the same sentences for valid and test. */
export function tinyCorpus(train: string[], test: string[] = train): EncodedCorpus {
  const split = (lines: string[]): string[][] => lines.map((l) => l.split(' '));
  const corpus: Corpus = { name: 'tiny', level: 'word', train: split(train), valid: split(test), test: split(test), minCount: 1, source: 'tiny' };
  return encodeCorpus(corpus);
}

export async function trainNgram(corpus: EncodedCorpus, hyperParameters: Record<string, unknown>, mode: Protocol = 'sentence'): Promise<NgramModel> {
  const model = ngramPlugin.create(hyperParameters, corpus.vocab) as NgramModel;
  await trainModel(model, corpus, { seed: 1, mode });
  return model;
}

/** Ids of space-separated words. */
export function ids(corpus: EncodedCorpus, words: string): number[] {
  return words.split(' ').map((w) => corpus.vocab.id(w));
}

/** One token of `query`'s output: the vocabulary id KenLM gave it, the n-gram order used, log10 p. */
interface QueryToken {
  readonly kenlmId: number;
  readonly order: number;
  readonly log10: number;
}

/** `query`'s per-token output on the open test set (by default the unquantised order-3 model's). */
export function queryTokens(path = `${KENLM_DIR}open/query-order3-test.txt.gz`): QueryToken[] {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const out: QueryToken[] = [];
  for (const field of text.split(/[\t\n]/)) {
    const m = /=(\d+) (\d+) (\S+)$/.exec(field);
    if (m) out.push({ kenlmId: Number(m[1]), order: Number(m[2]), log10: Number(m[3]) });
  }
  return out;
}

/** Per-token log10 p and matched order of a back-off model on the open test set, in protocol order. */
export function scoreTokens(model: NgramModel, set: ReferenceSet = 'open'): { log10: number[]; order: number[]; unk: boolean[] } {
  const corpus = referenceCorpus(set);
  const test = corpus.test;
  // Map the test words onto the model's own vocabulary (an ARPA model has its own ids).
  const words = (i: number): string => corpus.vocab.word(test.tokens[i]!);
  const scorer = model.scorer();
  if (!(scorer instanceof BackoffScorer)) throw new Error('expected a back-off model');
  const log10: number[] = [];
  const order: number[] = [];
  const unk: boolean[] = [];
  for (let s = 0; s + 1 < test.starts.length; s++) {
    scorer.reset();
    const sentence = [...Array(test.starts[s + 1]! - test.starts[s]!)].map((_, j) => model.vocab.id(words(test.starts[s]! + j)));
    sentence.push(2);
    for (const id of sentence) {
      log10.push(scorer.logProb(id) / Math.LN10);
      order.push(scorer.lastOrder());
      unk.push(id === UNK_ID);
      scorer.feed(id);
    }
  }
  return { log10, order, unk };
}

/**
 * Check a back-off model against `query`'s per-token output on the open test set (order 3): the same
 * n-gram order and `<unk>` decision for every token, and log10 p within what `query` prints (8 significant
 * digits of single-precision sums).
 */
export function expectQueryTokens(model: NgramModel, queryOutput?: string): void {
  const ours = scoreTokens(model);
  const theirs = queryTokens(queryOutput);
  expect(ours.log10.length).toBe(theirs.length);
  let worst = 0;
  theirs.forEach((t, i) => {
    worst = Math.max(worst, Math.abs(ours.log10[i]! - t.log10));
    expect(ours.order[i]).toBe(t.order);
    expect(ours.unk[i]).toBe(t.kenlmId === 0);
  });
  expect(worst).toBeLessThan(2e-6);
}

/**
 * A corpus small enough to estimate by hand. Sentences: "a b", "a b", "b a", "c".
 * Vocabulary: <unk> <s> </s> a b c (|V′| = 5 words can be predicted). 7 words + 4 </s> = 11 tokens.
 * Unigram counts a 3, b 3, c 1, </s> 4, <unk> 0 (4 types).
 * Bigrams: <s> a 2, <s> b 1, <s> c 1, a b 2, a </s> 1, b a 1, b </s> 2, c </s> 1.
 * Continuation counts of the unigrams (distinct left neighbours): a 2, b 2, </s> 3, c 1, <unk> 0 (Σ 8).
 */
export const handCorpus = (): EncodedCorpus => tinyCorpus(['a b', 'a b', 'b a', 'c'], ['a b', 'a a']);

/** ln P(next | words fed after a reset). */
export function lnP(scorer: Scorer, history: number[], next: number): number {
  scorer.reset();
  for (const t of history) scorer.feed(t);
  return scorer.logProb(next);
}

export function expectProbability(scorer: Scorer, history: number[], next: number, p: number): void {
  // Back-off tables hold single-precision log10 values, as ARPA files and KenLM do.
  expect(Math.abs(lnP(scorer, history, next) - Math.log(p))).toBeLessThan(1e-6);
}

/** p(w | h) of the stored back-off model, from its tables (any history, not only those after <s>). */
export function storedProbability(tables: BackoffTables, ids: number[]): number {
  const found = tables.trie.find(ids);
  if (found >= 0) return 10 ** tables.logProb[ids.length - 1]![found]!;
  return backoffWeight(tables, ids.slice(0, -1)) * storedProbability(tables, ids.slice(1));
}

export function backoffWeight(tables: BackoffTables, context: number[]): number {
  const found = tables.trie.find(context);
  return found >= 0 && context.length < tables.trie.order ? 10 ** tables.logBackoff[context.length - 1]![found]! : 1;
}
