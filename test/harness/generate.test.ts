import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import { sampleNext } from '../../harness/commands/generate.ts';
import { saveCheckpoint } from '../../models/checkpoint.ts';
import type { Scorer } from '../../models/types.ts';
import { cliInProcess as cli } from './cli-in-process.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'pb-generate-'));

/** A scorer whose next-token distribution is always `p`. */
function fixed(p: readonly number[]): Scorer {
  return { vocabSize: p.length, reset() {}, feed() {}, logProb: (w) => Math.log(p[w]!), distribution: (out) => out.set(p) };
}

/** How often each token is drawn when uniform() sweeps [0, 1) in `steps` even steps: the tempered distribution. */
function drawn(p: readonly number[], temperature: number, steps = 10_000): number[] {
  const counts = new Array<number>(p.length).fill(0);
  const buffer = new Float64Array(p.length);
  for (let k = 0; k < steps; k++) counts[sampleNext(fixed(p), buffer, temperature, () => (k + 0.5) / steps)]!++;
  return counts.map((c) => c / steps);
}

describe('sampleNext', () => {
  const p = [0.1, 0, 0.2, 0.3, 0.4];

  it('draws from p^(1/T), renormalised', () => {
    expect(drawn(p, 1)).toEqual([0.1, 0, 0.2, 0.3, 0.4]);
    const squared = [0.01, 0, 0.04, 0.09, 0.16].map((w) => w / 0.3);
    drawn(p, 0.5).forEach((f, i) => {
      expect(f).toBeCloseTo(squared[i]!, 3);
    });
    // A high temperature flattens it towards uniform (over every token but <s>).
    drawn(p, 1e6).forEach((f, i) => {
      expect(f).toBeCloseTo(i === BOS_ID ? 0 : 0.25, 3);
    });
  });

  it('tends to the most likely token as T tends to 0, in log space where p^(1/T) would underflow', () => {
    for (const t of [0.01, 0.001, 1e-9]) expect(drawn(p, t)[4]).toBe(1);
    // 1e-300^(1/0.001) is 0 for every token; relative to the largest in log space it is not.
    const tiny = [1e-300, 0, 3e-300, 2e-300];
    expect(drawn(tiny, 0.001, 100)).toEqual([0, 0, 1, 0]);
    expect(drawn(tiny, 1, 6)).toEqual([1 / 6, 0, 3 / 6, 2 / 6]);
  });

  it('refuses a distribution that is NaN or has no mass, naming the token', () => {
    const buffer = new Float64Array(3);
    const words = ['<unk>', '<s>', 'cat'];
    const draw = (q: number[], t: number) => () =>
      sampleNext(
        fixed(q),
        buffer,
        t,
        () => 0.5,
        (id) => words[id]!,
      );
    for (const t of [0, 0.001, 1]) {
      expect(draw([0.5, 0, NaN], t)).toThrow(new UserError('the model gives "cat" the probability NaN'));
      expect(draw([0, 1, 0], t)).toThrow(new UserError('the model gives every token probability 0'));
      expect(draw([-0.1, 0, 1.1], t)).toThrow(new UserError('the model gives "<unk>" the probability -0.1'));
    }
  });
});

describe('generate', () => {
  it('at a temperature of 0.001 writes what the most likely tokens (temperature 0) write', async () => {
    const model = join(tmp(), 'kn3');
    expect((await cli('train', '--model', 'ngram', '--order', '3', '--smoothing', 'kn', '--corpus', 'ship', '--save', model)).code).toBe(0);
    const argmax = await cli('generate', '--load', model, '--tokens', '40', '--temperature', '0');
    expect(argmax).toMatchObject({ code: 0, stderr: '' });
    expect(argmax.stdout).toMatch(/^if the the /);
    for (const seed of ['1', '7'])
      expect((await cli('generate', '--load', model, '--tokens', '40', '--temperature', '0.001', '--seed', seed)).stdout).toBe(argmax.stdout);
  });

  it('says which model and which token cannot be sampled', async () => {
    const vocabulary = ['<unk>', '<s>', '</s>', 'the', 'cat'];
    const saved = (logProbs: number[]): string => {
      const dir = join(tmp(), 'broken');
      saveCheckpoint(dir, { plugin: 'unigram', hyperParameters: { alpha: 1 }, vocabulary, meta: null, arrays: { logProbs: Float64Array.from(logProbs) } });
      return dir;
    };
    const nan = saved([-1, -Infinity, -1, NaN, -1]);
    expect(await cli('generate', '--load', nan, '--prefix', 'the cat')).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${nan}: cannot sample token 1 (after "the cat"): the model gives "the" the probability NaN\n`,
    });
    const empty = saved([-Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    expect((await cli('generate', '--load', empty)).stderr).toBe(
      `error: ${empty}: cannot sample token 1 (at the start): the model gives every token probability 0\n`,
    );
  });
});
