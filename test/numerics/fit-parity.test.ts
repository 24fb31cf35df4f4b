import { describe, expect, it } from 'vitest';
import { brownSlice, runCase, type ReferenceCase } from '../../bench/fit-reference.ts';
import reference from '../fixtures/fit/reference.json' with { type: 'json' };

/**
 * The one training loop (`numerics/training/fit.ts`) gives exactly the numbers of the two loops it replaced:
 * test/fixtures/fit/reference.json was recorded by `npx tsx bench/fit-reference.ts` on main at 04a373e, before
 * `fit` (window and recurrent models on a Brown slice: every epoch's valid perplexity, train loss and learning
 * rate, the test log-probabilities). The window cases use the option names of then, migrated as an old
 * checkpoint's are. One change is deliberate: a recurrent run that ends by its `maxEpochs` option now says
 * 'done' (as the window model always did), 'epochs' being the budget's.
 */
interface RecordedCase extends ReferenceCase {
  readonly epochs: readonly unknown[];
  readonly bestEpoch: number | null;
  readonly stoppedBy: string;
  readonly tokensTrained: number;
  readonly testLogprob: number;
  readonly testFirstLogProbs: readonly number[];
}

const cases = reference.cases as unknown as RecordedCase[];
const corpus = brownSlice();

describe('fit reproduces the earlier training loops', () => {
  it('the slice is the one recorded', () => {
    expect(corpus.vocab.size).toBe(reference.vocabSize);
  });

  for (const c of cases) {
    it(`${c.name}: the same valid perplexity every epoch and the same test log-probabilities`, async () => {
      const run = await runCase(corpus, c);
      expect(run.epochs).toEqual(c.epochs);
      expect(run.bestEpoch).toBe(c.bestEpoch);
      expect(run.tokensTrained).toBe(c.tokensTrained);
      expect(run.testLogprob).toBe(c.testLogprob);
      expect(run.testFirstLogProbs).toEqual(c.testFirstLogProbs);
      const byMaxEpochs = c.plugin !== 'window' && c.stoppedBy === 'epochs' && c.budget?.epochs === undefined;
      expect(run.stoppedBy).toBe(byMaxEpochs ? 'done' : c.stoppedBy);
    });
  }
});
