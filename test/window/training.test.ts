import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brownHead } from '../../corpora/brown.ts';
import { encodeCorpus, type EncodedCorpus } from '../../corpora/corpus.ts';
import { UserError } from '../../errors/user-error.ts';
import { evaluate } from '../../harness/metrics.ts';
import { trainingThroughput, trainModel } from '../../harness/train.ts';
import type { ProgressEvent, Scorer, TrainingData } from '../../models/types.ts';
import { windowPlugin } from '../../models/window/plugin.ts';

/** The first `train` sentences of Brown news for training, the next 50 and 50 for valid and test. */
const brownWords = (train: number, minCount: number): EncodedCorpus => encodeCorpus(brownHead(train, 50, 50, minCount));

/** ~6.6k training words, |V| = 417 */
const corpus = brownWords(300, 3);
/** ~2.3k training words, for the tests that do not need learning to go far */
const tiny = brownWords(100, 2);
const data: TrainingData = { vocab: tiny.vocab, train: tiny.train, valid: tiny.valid, mode: 'stream' };
const small = { n: 3, m: 8, h: 8, direct: true, batchSize: 32 };

describe('window model training', () => {
  it('lowers the training loss and beats the uniform distribution on valid, epoch after epoch', async () => {
    const model = windowPlugin.create({ ...small, m: 16, h: 16, learningRate: 3e-3, patience: 0 }, corpus.vocab);
    const events: ProgressEvent[] = [];
    const report = await trainModel(model, corpus, { seed: 1, mode: 'stream', budget: { epochs: 3 }, onProgress: (e) => events.push(e) });
    expect(report.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // Each validation reached the progress display as it happened, with the perplexity the learning curve records.
    const validations = events.filter((e) => e.validPerplexity !== undefined);
    expect(validations.map((e) => e.phase)).toEqual(['validation 1', 'validation 2', 'validation 3']);
    expect(validations.map((e) => e.validPerplexity)).toEqual(report.epochs.map((e) => e.validPerplexity));
    expect(events.indexOf(validations[0]!)).toBeLessThan(events.findIndex((e) => e.phase === 'epoch 2'));
    expect(report.stoppedBy).toBe('epochs');
    const losses = report.epochs.map((e) => e.trainLoss);
    expect(losses[1]!).toBeLessThan(losses[0]!);
    expect(losses[2]!).toBeLessThan(losses[1]!);
    expect(report.epochs[2]!.validPerplexity).toBeLessThan(corpus.vocab.size / 2);
    expect(report.tokensTrained).toBe(3 * (corpus.train.tokens.length + corpus.train.starts.length - 1));
    // The reported perplexity is the shared protocol's, for the parameters the model ends with.
    const best = report.epochs[report.bestEpoch! - 1]!;
    expect(evaluate(model.scorer(), corpus.valid, { mode: 'stream' }).perplexity).toBeCloseTo(best.validPerplexity, 9);
    // Its size is its parameters (float32), as for every model: gradients and Adam's moments are training state.
    expect(model.byteSize()).toBe(4 * model.parameterCount());
    // The three validations were timed by the harness and are left out of the training throughput.
    expect(report.validateSeconds).toBeGreaterThan(0);
    expect(report.validateSeconds).toBeLessThan(report.seconds);
    expect(trainingThroughput(report, report.seconds)).toBeCloseTo(report.tokensTrained / (report.seconds - report.validateSeconds), 6);
  });

  it('stops at a token or time budget', async () => {
    const byTokens = await windowPlugin.create(small, tiny.vocab).train(data, { seed: 1, budget: { tokens: 1000 }, validate: () => 100 });
    expect(byTokens.tokensTrained).toBe(1000);
    expect(byTokens.stoppedBy).toBe('tokens');
    expect(byTokens.epochs).toHaveLength(1);
    const bySeconds = await windowPlugin.create(small, tiny.vocab).train(data, { seed: 1, budget: { seconds: 0 }, validate: () => 100 });
    expect(bySeconds.tokensTrained).toBe(32);
    expect(bySeconds.stoppedBy).toBe('seconds');
  });

  it("decays the learning rate on a plateau, stops early and keeps the best epoch's parameters", async () => {
    const script = [50, 40, 45, 47, 30];
    const seen: number[] = [];
    const probe = (s: Scorer): number => {
      s.reset();
      s.feed(5);
      return s.logProb(7);
    };
    const model = windowPlugin.create({ ...small, lrDecay: 0.5, lrPatience: 0, patience: 2, learningRate: 0.01 }, tiny.vocab);
    const report = await model.train(data, {
      seed: 2,
      budget: { epochs: 5 },
      validate: (s) => {
        seen.push(probe(s));
        return script[seen.length - 1]!;
      },
    });
    expect(report.epochs.map((e) => e.validPerplexity)).toEqual([50, 40, 45, 47]);
    expect(report.stoppedBy).toBe('early-stopping');
    expect(report.bestEpoch).toBe(2);
    // lr after each epoch: halved after epochs 3 and 4 (no improvement), recorded before the schedule step
    expect(report.epochs.map((e) => e.learningRate)).toEqual([0.01, 0.01, 0.01, 0.005]);
    expect(probe(model.scorer())).toBe(seen[1]);
    expect(probe(model.scorer())).not.toBe(seen[3]);
  });

  it('is reproducible from the seed and differs between seeds', async () => {
    const run = async (seed: number): Promise<number> => {
      const model = windowPlugin.create({ ...small, dropout: 0.2 }, tiny.vocab);
      await model.train(data, { seed, budget: { tokens: 2000 }, validate: () => 1 });
      return evaluate(model.scorer(), tiny.test, { mode: 'stream' }).logprob;
    };
    expect(await run(4)).toBe(await run(4));
    expect(await run(4)).not.toBe(await run(5));
  });

  it('rejects bad options and foreign checkpoints with errors that name them', () => {
    expect(() => windowPlugin.create({ h: 0 }, tiny.vocab)).toThrow(/direct/);
    expect(() => windowPlugin.create({ n: 1 }, tiny.vocab)).toThrow(/option "n"/);
    expect(() => windowPlugin.create({ optimizer: 'rmsprop' }, tiny.vocab)).toThrow(/option "optimizer"/);
    const model = windowPlugin.create({ ...small, dtype: 'float64' }, tiny.vocab);
    const checkpoint = model.toCheckpoint();
    expect(() => windowPlugin.fromCheckpoint({ ...checkpoint, hyperParameters: { ...checkpoint.hyperParameters, dtype: 'float32' } })).toThrow(UserError);
    expect(() => windowPlugin.fromCheckpoint({ ...checkpoint, hyperParameters: { ...checkpoint.hyperParameters, m: 6 } })).toThrow(/parameter C/);
  });

  it('refuses the option names of before 1.0.0, naming the new ones, and loads checkpoints written with them', () => {
    expect(() => windowPlugin.create({ earlyStopping: 2 }, tiny.vocab)).toThrow(
      /^model "window": option "earlyStopping" was renamed to "patience" in 1\.0\.0$/,
    );
    const model = windowPlugin.create({ ...small, learningRate: 0.02, maxEpochs: 4, patience: 1 }, tiny.vocab);
    const checkpoint = model.toCheckpoint();
    const { learningRate, maxEpochs, patience, lrPatience: _, ...rest } = model.hyperParameters;
    const old = { ...checkpoint, hyperParameters: { ...rest, lr: learningRate, epochs: maxEpochs, earlyStopping: patience } };
    const notes: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => notes.push(chunk) > 0) as typeof process.stderr.write;
    let loaded: ReturnType<typeof windowPlugin.fromCheckpoint>;
    try {
      loaded = windowPlugin.fromCheckpoint(old);
    } finally {
      process.stderr.write = write;
    }
    expect(loaded.hyperParameters).toEqual(model.hyperParameters);
    expect(notes.join('')).toBe(
      'note: window checkpoint written before 1.0.0: option names migrated ("lr" → "learningRate", "epochs" → "maxEpochs", "earlyStopping" → "patience")\n',
    );
    expect(evaluate(loaded.scorer(), tiny.test, { mode: 'stream' }).logprob).toBe(evaluate(model.scorer(), tiny.test, { mode: 'stream' }).logprob);
  });

  it('names the new flag for an old one on the command line', () => {
    const root = join(import.meta.dirname, '../..');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'harness/cli.ts'), 'train', '--model', 'window', '--corpus', 'ship', '--lr', '0.01'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('error: train: option --lr was renamed to --learning-rate in 1.0.0\n');
    expect(r.status).toBe(2);
  });

  it("trains from the CLI with the paper's flags", () => {
    const root = join(import.meta.dirname, '../..');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(root, 'harness/cli.ts'),
        'train',
        '--model',
        'window',
        '--n',
        '3',
        '--m',
        '4',
        '--h',
        '5',
        '--direct',
        '--corpus',
        'ship',
        '--max-epochs',
        '2',
        '--json',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hyperParameters).toMatchObject({ n: 3, m: 4, h: 5, direct: true, learningRate: 0.001 });
    expect(out.epochs).toHaveLength(2);
    expect(out.parameters).toBe(out.vocabulary * (1 + 4 + 5 + 8) + 5 * (1 + 8));
  });
});
