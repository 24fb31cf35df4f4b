import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeCorpus } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { UserError } from '../../errors/user-error.ts';
import { parseExperiment } from '../../harness/experiment/config.ts';
import { expandGrid } from '../../harness/experiment/grid.ts';
import { runCell } from '../../harness/experiment/run-cell.ts';
import { evaluate } from '../../harness/metrics.ts';
import { assertSoundModel } from '../../harness/sound-model.ts';
import { trainModel } from '../../harness/train.ts';
import { saveCheckpoint } from '../../models/checkpoint.ts';
import { findPlugin } from '../../models/registry.ts';
import type { TrainReport } from '../../models/types.ts';
import { UnigramModel } from '../../models/unigram/unigram.ts';
import { cliInProcess as cli } from './cli-in-process.ts';

const ship = encodeCorpus(toyCorpus('ship'));
const tmp = (): string => mkdtempSync(join(tmpdir(), 'pb-sound-'));

/** The unigram model's log-probabilities (a private field: these tests break the model on purpose). */
const logProbsOf = (model: UnigramModel): Float64Array => (model as unknown as { logProbs: Float64Array }).logProbs;

/** Make every unigram model's training leave it broken: `poison` edits its log-probabilities. */
function breakUnigramTraining(poison: (logProbs: Float64Array) => void): void {
  const train = UnigramModel.prototype.train;
  vi.spyOn(UnigramModel.prototype, 'train').mockImplementation(async function (this: UnigramModel, data, options): Promise<TrainReport> {
    const report = await train.call(this, data, options);
    poison(logProbsOf(this));
    return report;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a broken model', () => {
  it('is refused for NaN in its arrays, NaN scores, or a first distribution that is not one', async () => {
    const model = findPlugin('unigram').create({ alpha: 0.5 }, ship.vocab) as UnigramModel;
    await trainModel(model, ship, { seed: 1, mode: 'sentence' });
    const valid = evaluate(model.scorer(), ship.valid, { mode: 'sentence' });
    // A sound model passes, its −Infinity for <s> (probability 0) included.
    expect(logProbsOf(model)[1]).toBe(-Infinity);
    assertSoundModel(model, { valid }, { arrays: model.toCheckpoint().arrays });

    const lp = logProbsOf(model);
    const kept = lp.slice();
    lp[7] = NaN;
    expect(() => assertSoundModel(model, {}, { arrays: model.toCheckpoint().arrays, consequence: 'nothing was saved to m' })).toThrow(
      new UserError('the trained unigram model is broken: its array "logProbs" holds NaN (first at index 7 of 28); nothing was saved to m'),
    );
    const scored = evaluate(model.scorer(), ship.valid, { mode: 'sentence' });
    expect(() => assertSoundModel(model, { valid: scored })).toThrow(
      /^the trained unigram model is broken: \d+ of the 181 valid tokens get a NaN log-probability$/,
    );
    expect(() => assertSoundModel(model, {})).toThrow(
      `the trained unigram model is broken: its next-token distribution after <s> gives "${ship.vocab.word(7)}" the probability NaN`,
    );
    lp.set(kept);
    lp[3] = Math.log(0.9);
    expect(() => assertSoundModel(model, {})).toThrow(/its next-token distribution after <s> sums to 1\.\d+, not 1$/);
  });

  it('is never saved by train, which exits non-zero naming the folder', async () => {
    breakUnigramTraining((lp) => lp.fill(NaN, 5, 9));
    const save = join(tmp(), 'model');
    const { code, stderr } = await cli('train', '--model', 'unigram', '--corpus', 'ship', '--save', save);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      new RegExp(`\\nerror: the trained unigram model is broken: \\d+ of the 181 valid tokens get a NaN log-probability; nothing was saved to ${save}\\n$`),
    );
    expect(existsSync(save)).toBe(false);
    // Without --save too: a broken run is a failed run.
    expect((await cli('train', '--model', 'unigram', '--corpus', 'ship')).code).toBe(2);
  });

  it('scored by eval shows a NaN perplexity and says why', async () => {
    const model = findPlugin('unigram').create({}, ship.vocab) as UnigramModel;
    await trainModel(model, ship, { seed: 1, mode: 'sentence' });
    logProbsOf(model).fill(NaN, 3);
    // Written behind train's back: train itself never saves such a model.
    const dir = join(tmp(), 'broken');
    saveCheckpoint(dir, model.toCheckpoint());
    const { code, stdout } = await cli('eval', '--load', dir, '--corpus', 'ship', '--split', 'test');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /\n {2}perplexity NaN, without <unk> NaN, NaN bits\/token, NaN bits\/char\n {2}180 tokens have a NaN log-probability: the model is broken \(perplexity is NaN\)\n/,
    );
  });

  it('fails its experiment cell instead of giving a result', async () => {
    breakUnigramTraining((lp) => lp.fill(NaN));
    const path = join(tmp(), 'broken.json');
    const config = { corpora: ['ship'], models: [{ plugin: 'unigram' }] };
    writeFileSync(path, JSON.stringify(config));
    const [cell] = expandGrid({ name: 'broken', path, config: parseExperiment(config, path) });
    await expect(runCell({ cell: cell!, outDir: tmp(), plugins: [], runPid: process.pid }, () => {})).rejects.toThrow(
      new UserError('the trained unigram model is broken: 181 of the 181 valid tokens get a NaN log-probability'),
    );
  });
});
