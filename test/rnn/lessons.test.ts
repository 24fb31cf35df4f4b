import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { loadCorpus } from '../../corpora/load.ts';
import { EOS_ID } from '../../corpora/vocabulary.ts';
import { trainModel } from '../../harness/train.ts';
import { findPlugin } from '../../models/registry.ts';
import type { LanguageModel } from '../../models/types.ts';

/** Feed the sentence from `<s>`; at each step, the most probable next token. */
function greedyPredictions(model: LanguageModel, ids: readonly number[]): number[] {
  const scorer = model.scorer();
  const p = new Float64Array(scorer.vocabSize);
  scorer.reset();
  return ids.map((id) => {
    scorer.distribution(p);
    let best = 0;
    for (let w = 1; w < p.length; w++) if (p[w]! > p[best]!) best = w;
    scorer.feed(id);
    return best;
  });
}

async function lesson(plugin: string, corpusName: string): Promise<{ predicted: string[]; expected: string[] }> {
  const corpus = encodeCorpus(loadCorpus(corpusName));
  // The plug-in's default options, as `train --model … --corpus …` uses them.
  const model = findPlugin(plugin).create({}, corpus.vocab);
  await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
  const ids = [...corpus.train.tokens, EOS_ID];
  const word = (id: number) => corpus.vocab.word(id);
  return { predicted: greedyPredictions(model, ids).map(word), expected: ids.map(word) };
}

describe('the lessons, with default options', () => {
  it('hihello: a character RNN predicts "ihello" from "hihell"', async () => {
    const { predicted, expected } = await lesson('rnn', 'hihello');
    // Positions 1..6 are the predictions after h, i, h, e, l, l.
    expect(predicted.slice(1, 7).join('')).toBe('ihello');
    expect(predicted).toEqual(expected);
  });

  for (const cell of ['lstm', 'gru']) {
    it(`hihello: so does a character ${cell.toUpperCase()}`, async () => {
      const { predicted } = await lesson(cell, 'hihello');
      expect(predicted.slice(1, 7).join('')).toBe('ihello');
    });
  }

  for (const cell of ['rnn', 'lstm']) {
    it(`ship: a character ${cell.toUpperCase()} predicts at least 99% of the next characters`, async () => {
      const { predicted, expected } = await lesson(cell, 'ship');
      const right = predicted.filter((p, i) => p === expected[i]).length;
      expect(expected.length).toBe(181);
      expect(right / expected.length).toBeGreaterThanOrEqual(0.99);
    });
  }
});
