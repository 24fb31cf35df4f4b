import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import * as training from '../../index.ts';
import type { FitOptions, FitSession, Parameter, Scorer, TrainOptions } from '../../index.ts';

/**
 * `fit` serving a neural model that is not one of the project's: a bigram of logits W[prev] (|V| × |V|, float64),
 * written here against the public API only, as a user's plug-in would be.
 */
const corpus = encodeCorpus(toyCorpus('ship'));
const V = corpus.vocab.size;

function softmaxRow(w: Float64Array, row: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, w[row * V + j]!);
  let sum = 0;
  for (let j = 0; j < V; j++) sum += out[j] = Math.exp(w[row * V + j]! - max);
  for (let j = 0; j < V; j++) out[j]! /= sum;
}

class BigramScorer implements Scorer {
  readonly vocabSize = V;
  private previous = BOS_ID;
  private readonly p = new Float64Array(V);
  constructor(private readonly w: Float64Array) {}
  reset(): void {
    this.previous = BOS_ID;
  }
  distribution(out: Float64Array): void {
    softmaxRow(this.w, this.previous, out);
  }
  logProb(next: number): number {
    this.distribution(this.p);
    return Math.log(this.p[next]!);
  }
  feed(token: number): void {
    this.previous = token;
  }
}

/** (previous, next) pairs of the training stream, in batches of 16 in order; `log` records what the loop asked for. */
function bigramSession(log: string[]): (seed: number) => FitSession<Int32Array> {
  return (seed) => {
    log.push(`setup ${seed}`);
    const w: Parameter = training.createParameter('W', [V, V], 'float64');
    const pairs: number[] = [];
    const { tokens, starts } = corpus.train;
    for (let s = 0; s + 1 < starts.length; s++) {
      let previous = BOS_ID;
      for (let i = starts[s]!; i <= starts[s + 1]!; i++) {
        const next = i < starts[s + 1]! ? tokens[i]! : 2;
        pairs.push(previous, next);
        previous = next;
      }
    }
    const all = Int32Array.from(pairs);
    const p = new Float64Array(V);
    return {
      parameters: [w],
      vocabSize: V,
      stepsPerEpoch: Math.ceil(all.length / 32),
      epochTokens: all.length / 2,
      *batches(epoch) {
        log.push(`epoch ${epoch}`);
        for (let k = 0; k < all.length; k += 32) yield all.subarray(k, Math.min(all.length, k + 32));
      },
      step(batch) {
        w.grad.fill(0);
        const rows = batch.length / 2;
        let loss = 0;
        for (let r = 0; r < rows; r++) {
          const previous = batch[2 * r]!;
          const next = batch[2 * r + 1]!;
          softmaxRow(w.data as Float64Array, previous, p);
          loss -= Math.log(p[next]!);
          for (let j = 0; j < V; j++) w.grad[previous * V + j]! += (p[j]! - (j === next ? 1 : 0)) / rows;
        }
        return { loss, tokens: rows };
      },
      scorer: () => new BigramScorer(w.data as Float64Array),
      setMode: (mode) => log.push(mode),
      dispose: () => log.push('dispose'),
    };
  };
}

const HP: FitOptions = {
  optimizer: 'sgd',
  learningRate: 2,
  momentum: 0,
  weightDecay: 0,
  clip: 0,
  dropout: 0,
  batchSize: 16,
  maxEpochs: 30,
  lrDecay: 0.5,
  lrPatience: 0,
  patience: 3,
  dtype: 'float64',
};
const validate = (scorer: Scorer): number => evaluate(scorer, corpus.valid, { mode: 'sentence' }).perplexity;

describe('fit', () => {
  it('trains an external neural model: the valid perplexity falls, with the hooks called in order', async () => {
    const log: string[] = [];
    const options: TrainOptions = { seed: 5, validate, budget: { epochs: 3 } };
    const report = await training.fit(bigramSession(log), HP, training.WINDOW_TRAINING, options);
    expect(log).toEqual(['setup 5', 'train', 'epoch 1', 'eval', 'train', 'epoch 2', 'eval', 'train', 'epoch 3', 'eval', 'dispose', 'eval']);
    expect(report.stoppedBy).toBe('epochs');
    const perplexities = report.epochs.map((e) => e.validPerplexity);
    expect(perplexities[0]!).toBeLessThan(V);
    expect(perplexities[2]!).toBeLessThan(perplexities[0]!);
    expect(report.tokensTrained).toBe(3 * 181);
    expect(report.bestEpoch).toBe(3);
  });

  it('is deterministic: the same options give the same numbers', async () => {
    const run = () => training.fit(bigramSession([]), HP, training.WINDOW_TRAINING, { seed: 1, validate, budget: { epochs: 2 } });
    const a = await run();
    const b = await run();
    expect(b.epochs.map((e) => e.validPerplexity)).toEqual(a.epochs.map((e) => e.validPerplexity));
  });

  it('decays the learning rate and stops early by the plug-in’s plateau rule, restoring the best epoch', async () => {
    const script = [50, 40, 45, 47, 30];
    let calls = 0;
    const scripted = (): number => script[calls++]!;
    const report = await training.fit(bigramSession([]), { ...HP, patience: 2 }, training.WINDOW_TRAINING, { seed: 1, validate: scripted });
    expect(report.epochs.map((e) => e.validPerplexity)).toEqual([50, 40, 45, 47]);
    expect(report.epochs.map((e) => e.learningRate)).toEqual([2, 2, 2, 1]);
    expect(report.stoppedBy).toBe('early-stopping');
    expect(report.bestEpoch).toBe(2);
    // The recurrent rule: every k epochs that hold 25 steps (here 3 of 12), and a drop under 0.1% is no improvement.
    calls = 0;
    script.splice(0, script.length, 50, 40, 39.99, 39.98, 39.97, 39.96, 30);
    const recurrent = await training.fit(bigramSession([]), { ...HP, patience: 1 }, training.RECURRENT_TRAINING, { seed: 1, validate: scripted });
    expect(recurrent.epochs.map((e) => e.validPerplexity)).toEqual([50, 40, 39.99, 39.98, 39.97, 39.96]);
    expect(recurrent.stoppedBy).toBe('early-stopping');
    expect(recurrent.bestEpoch).toBe(6);
  });

  it('stops after the step that reaches a token budget, and clips the gradients when asked', async () => {
    const report = await training.fit(bigramSession([]), { ...HP, clip: 0.5 }, training.WINDOW_TRAINING, { seed: 1, validate, budget: { tokens: 40 } });
    expect(report.stoppedBy).toBe('tokens');
    expect(report.tokensTrained).toBe(48);
    expect(report.epochs).toHaveLength(1);
  });

  it('stops a diverging run with the shared option names', async () => {
    const diverging = { ...HP, learningRate: 1e308 };
    await expect(training.fit(bigramSession([]), diverging, training.WINDOW_TRAINING, { seed: 1, validate })).rejects.toThrow(
      /^training diverged .*lower the learning rate \(--learning-rate \/ "learningRate", now 1e\+308\) or enable gradient clipping \(--clip \/ "clip", e\.g\. 1; now off\)$/,
    );
  });
});
