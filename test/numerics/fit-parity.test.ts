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

/** |a − b| / |b|. */
const relative = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
/** float32 rounding drift allowed after a few epochs (the largest seen over the 14 cases was 4.0e-9). */
const ROUNDING = 1e-7;
const corpus = brownSlice();

describe('fit reproduces the earlier training loops', () => {
  it('the slice is the one recorded', () => {
    expect(corpus.vocab.size).toBe(reference.vocabSize);
  });

  for (const c of cases) {
    it(`${c.name}: the same valid perplexity every epoch and the same test log-probabilities`, async () => {
      const run = await runCase(corpus, c);
      // The same epochs, steps, schedule and stopping exactly; the losses and perplexities to float32 rounding:
      // since issue 14 scoring runs many sentences per product, which moves the last bits of float32 sums
      // (measured: at most 4.0e-9 relative, 5.1e-7 in a first log-probability). This file runs on the plain SIMD
      // kernels (vitest.config.ts), as the reference was recorded.
      expect(run.epochs.map(({ epoch, tokensSeen, learningRate }) => ({ epoch, tokensSeen, learningRate }))).toEqual(
        (c.epochs as { epoch: number; tokensSeen: number; learningRate: number }[]).map(({ epoch, tokensSeen, learningRate }) => ({
          epoch,
          tokensSeen,
          learningRate,
        })),
      );
      (c.epochs as { trainLoss: number; validPerplexity: number }[]).forEach((e, i) => {
        expect(relative(run.epochs[i]!.trainLoss, e.trainLoss), `epoch ${i + 1} train loss`).toBeLessThan(ROUNDING);
        expect(relative(run.epochs[i]!.validPerplexity ?? NaN, e.validPerplexity), `epoch ${i + 1} valid perplexity`).toBeLessThan(ROUNDING);
      });
      expect(run.bestEpoch).toBe(c.bestEpoch);
      expect(run.tokensTrained).toBe(c.tokensTrained);
      expect(relative(run.testLogprob, c.testLogprob), 'test log-probability').toBeLessThan(ROUNDING);
      run.testFirstLogProbs.forEach((lp, i) => {
        expect(Math.abs(lp - c.testFirstLogProbs[i]!), `test log-probability ${i}`).toBeLessThan(5e-6);
      });
      const byMaxEpochs = c.plugin !== 'window' && c.stoppedBy === 'epochs' && c.budget?.epochs === undefined;
      expect(run.stoppedBy).toBe(byMaxEpochs ? 'done' : c.stoppedBy);
    });
  }
});
