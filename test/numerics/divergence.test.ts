import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { trainModel } from '../../harness/train.ts';
import { gradientNorm, sumSquares } from '../../numerics/clip-grad-norm.ts';
import { DIVERGED, DivergenceError, DivergenceWatch, isDivergence } from '../../numerics/divergence.ts';
import { createParameter } from '../../numerics/parameter.ts';
import { findPlugin } from '../../models/registry.ts';
import { cliInProcess } from '../harness/cli-in-process.ts';

const hint = { learningRate: { key: 'learningRate', flag: '--learning-rate', value: 3 }, clip: 0, suggestedClip: 0.25 };
const ADVICE = 'lower the learning rate (--learning-rate / "learningRate", now 3) or enable gradient clipping (--clip / "clip", e.g. 0.25; now off)';

/** The error `f` throws (it must throw). */
function thrown(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('the divergence watch', () => {
  it('names the epoch, the step, the value and what to change, as a UserError', () => {
    const watch = new DivergenceWatch(hint, 28);
    watch.startEpoch(2);
    watch.loss(3.1);
    watch.gradients(12.5);
    const e = thrown(() => watch.loss(NaN));
    expect(e).toBeInstanceOf(DivergenceError);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toBe(`training diverged at epoch 2, step 2: the training loss is NaN; ${ADVICE}`);
    expect(isDivergence((e as Error).message)).toBe(true);
    expect(isDivergence('corpus.txt: no such file')).toBe(false);

    expect(thrown(() => watch.gradients(Infinity))).toMatchObject({ message: `${DIVERGED} at epoch 2, step 2: the gradient norm is Infinity; ${ADVICE}` });
    watch.startEpoch(3);
    expect(thrown(() => watch.loss(-Infinity))).toMatchObject({
      message: expect.stringMatching(/^training diverged at epoch 3, step 1: the training loss is -Infinity;/),
    });
    expect(thrown(() => watch.validPerplexity(NaN))).toMatchObject({
      message: `training diverged by the end of epoch 3 (step 1): the valid perplexity is NaN; ${ADVICE}`,
    });
    // A softmax model has no probability 0 while its logits are finite: an infinite perplexity is an overflow.
    expect(() => watch.validPerplexity(Infinity)).toThrow(/the valid perplexity is Infinity/);
    watch.validPerplexity(1e30);
  });

  it('says to clip harder when clipping is on', () => {
    const watch = new DivergenceWatch({ learningRate: { key: 'lr', flag: '--lr', value: 0.5 }, clip: 5, suggestedClip: 1 }, 10);
    expect(() => watch.loss(NaN)).toThrow('lower the learning rate (--lr / "lr", now 0.5) or clip the gradients harder (--clip / "clip", now 5)');
  });

  it('fails an epoch whose mean loss is over ten times the uniform distribution’s', () => {
    const watch = new DivergenceWatch(hint, 28);
    watch.startEpoch(1);
    const uniform = Math.log(28);
    watch.epochLoss(9.9 * uniform);
    expect(() => watch.epochLoss(10.1 * uniform)).toThrow(
      `training diverged by the end of epoch 1 (step 0): the mean training loss is ${(10.1 * uniform).toFixed(2)} nats per token, over 10 times that of the uniform distribution (ln 28 = 3.33)`,
    );
    expect(() => watch.epochLoss(NaN)).toThrow(/the mean training loss is NaN nats per token/);
  });

  it('finds the first non-finite parameter, on the SIMD path (float32) and the plain one (float64)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const a = createParameter('rnn.weight_ih_l0', [3, 5], dtype);
      const b = createParameter('decoder.bias', [7], dtype);
      a.data.fill(0.5);
      b.data.fill(-2);
      const watch = new DivergenceWatch(hint, 7);
      watch.startEpoch(4);
      watch.parameters([a, b]);
      b.data[5] = Infinity;
      b.data[6] = NaN;
      expect(() => watch.parameters([a, b])).toThrow(`training diverged by the end of epoch 4 (step 0): parameter decoder.bias[5] is Infinity; ${ADVICE}`);
    }
  });

  it('sees a NaN or infinite gradient in the global norm that clipping uses, on both paths', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const p = createParameter('w', [1027], dtype);
      p.grad.fill(0.5);
      expect(gradientNorm([p])).toBeCloseTo(Math.sqrt(1027 * 0.25), 9);
      p.grad[1026] = NaN;
      expect(gradientNorm([p])).toBeNaN();
      p.grad[1026] = -Infinity;
      expect(gradientNorm([p])).toBe(Infinity);
      // The largest float32 squared does not overflow the float64 sum.
      p.grad.fill(3.4e38);
      expect(Number.isFinite(sumSquares(p.grad))).toBe(true);
    }
  });
});

describe('a diverging run', () => {
  const ship = encodeCorpus(toyCorpus('ship'));

  it('stops the window model with the message and the model’s own option names', async () => {
    const model = findPlugin('window').create({ learningRate: 100, n: 3, m: 16, h: 16 }, ship.vocab);
    await expect(trainModel(model, ship, { seed: 1, mode: 'sentence', budget: { epochs: 3 } })).rejects.toThrow(
      /^training diverged by the end of epoch 1 \(step 2\): the mean training loss is \d+\.\d\d nats per token, over 10 times that of the uniform distribution \(ln 28 = 3\.33\); lower the learning rate \(--learning-rate \/ "learningRate", now 100\) or enable gradient clipping \(--clip \/ "clip", e\.g\. 1; now off\)$/,
    );
  });

  it('stops a recurrent model at the first step whose loss is NaN', async () => {
    const model = findPlugin('rnn').create({ nonlinearity: 'relu', optimizer: 'sgd', learningRate: 1000, clip: 0 }, ship.vocab);
    const error = await trainModel(model, ship, { seed: 1, mode: 'sentence', budget: { epochs: 3 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DivergenceError);
    expect((error as Error).message).toBe(
      'training diverged at epoch 1, step 2: the training loss is NaN; lower the learning rate (--learning-rate / "learningRate", now 1000) or enable gradient clipping (--clip / "clip", e.g. 0.25; now off)',
    );
    // The check came before the update: the parameters are still those of step 1, every one finite.
    for (const a of Object.values(model.toCheckpoint().arrays)) expect((a as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('stops a GRU whose loss blows up without overflowing', async () => {
    const model = findPlugin('gru').create({ optimizer: 'sgd', learningRate: 1000 }, ship.vocab);
    await expect(trainModel(model, ship, { seed: 1, mode: 'sentence', budget: { epochs: 3 } })).rejects.toThrow(
      /^training diverged by the end of epoch 1 \(step 6\): the mean training loss is \d+\.\d\d nats per token, over 10 times .*clip the gradients harder \(--clip \/ "clip", now 0\.25\)$/,
    );
  });
});

describe('train on a diverging run', () => {
  it('exits non-zero with the message, no stack trace, and saves nothing', async () => {
    const save = join(mkdtempSync(join(tmpdir(), 'pb-diverge-')), 'lstm');
    const { code, stderr: text } = await cliInProcess(
      'train',
      '--model',
      'lstm',
      '--learning-rate',
      '1000',
      '--clip',
      '0',
      '--corpus',
      'ship',
      '--epochs',
      '3',
      '--save',
      save,
    );
    expect(code).toBe(2);
    expect(text).toMatch(
      /\nerror: training diverged by the end of epoch 1 \(step 6\): the mean training loss is \d+\.\d\d nats per token, .*; lower the learning rate \(--learning-rate \/ "learningRate", now 1000\) or enable gradient clipping \(--clip \/ "clip", e\.g\. 0\.25; now off\)\n$/,
    );
    expect(text).not.toMatch(/\n\s+at /);
    expect(existsSync(save)).toBe(false);
  });
});
