import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Experiment, parseExperiment } from '../../harness/experiment/config.ts';
import { type Cell, expandGrid } from '../../harness/experiment/grid.ts';
import { readResults } from '../../harness/experiment/results.ts';
import { runExperiment } from '../../harness/experiment/runner.ts';
import { checkMixtureSelectors, recordExperimentMixtures } from '../../harness/mixture/experiment.ts';
import { mixtureId } from '../../harness/mixture/mix.ts';
import { mixFolder, mixRow, temporaryFolders } from './mix-fixture.ts';

const tmp = temporaryFolders('pb-mixexp-');

const ENV = { gitCommit: 'x', nodeVersion: 'v', cpuModel: 'c', kernels: 'simd' };

function experiment(config: Record<string, unknown>, dir = tmp()): Experiment {
  const path = join(dir, 'mixes.json');
  writeFileSync(path, JSON.stringify(config));
  return { name: 'e', path, config: parseExperiment(config, path) };
}

/** The grid cells of the fixture's runs on corpus ab-1 (what recordExperimentMixtures reads of them). */
function cells(ids: readonly string[]): Cell[] {
  return ids.map((id, index) => ({ id, index, corpusId: 'ab-1', mode: 'sentence', seed: 1, corpus: { spec: 'ab' } }) as unknown as Cell);
}

/**
 * Four runs on the same tokens: ngram-1 and ngram-4 (ngram-4 better on valid, worse on test), rnn-2 and gru-5.
 */
function fixture(): { dir: string; grid: Cell[] } {
  const dir = mixFolder(tmp(), [
    mixRow('ngram-4', 'fourth', 5, { validPerplexity: 3, testPerplexity: 9 }),
    mixRow('gru-5', 'fifth', 4, { family: 'recurrent', model: 'gru' }),
  ]);
  return { dir, grid: cells(['ngram-1', 'rnn-2', 'ngram-4', 'gru-5']) };
}

const MODELS = [{ plugin: 'unigram' }];

describe('the mixtures of an experiment', () => {
  it('"best" picks by valid perplexity, "each" makes one mixture per run, a string is a label', () => {
    const { dir, grid } = fixture();
    const exp = experiment({
      corpora: ['ship'],
      models: MODELS,
      mixtures: [{ components: [{ best: 'ngram' }, { each: 'recurrent' }] }, { components: ['first', 'second'] }],
    });
    // rnn-2's family in the fixture is "rnn"; gru-5's "recurrent": "each" matches a plug-in or a family.
    const made = recordExperimentMixtures(exp, grid, dir, ENV);
    expect(made).toMatchObject({ made: 2, failed: 0 });
    const rows = readResults(dir).rows.filter((r) => r.family === 'mixture');
    expect(rows.map((r) => r.label)).toEqual(['mix(fourth + fifth)', 'mix(first + second)']);
    expect(rows.map((r) => r.id)).toEqual([mixtureId(['ngram-4', 'gru-5']), mixtureId(['ngram-1', 'rnn-2'])]);
    expect(rows.map((r) => r.cell)).toEqual([4, 5]);
    expect(JSON.parse(rows[0]!.hyperParameters).entry).toBe('mixtures[0]');
    expect(rows[1]!.testPerplexity).toBeCloseTo(2, 6);
  });

  it('"bestOfEach" mixes the best of every family, and a mixture never takes a run twice', () => {
    const { dir, grid } = fixture();
    const exp = experiment({
      corpora: ['ship'],
      models: MODELS,
      mixtures: [{ components: [{ bestOfEach: 'family' }] }, { components: ['first', { best: 'ngram' }] }],
    });
    recordExperimentMixtures(exp, grid, dir, ENV);
    const labels = readResults(dir)
      .rows.filter((r) => r.family === 'mixture')
      .map((r) => r.label);
    // ngram: fourth (valid 3); rnn: second; recurrent: fifth. "first" + best n-gram "fourth" is a mixture of two.
    expect(labels).toEqual(['mix(fourth + second + fifth)', 'mix(first + fourth)']);
  });

  it('mixes a one-seed n-gram with each seed of a model given three seeds: three seeds of one mixture', () => {
    const seeds = [1, 2, 3];
    const dir = mixFolder(
      tmp(),
      seeds.slice(1).map((seed) => mixRow(`rnn-${seed}0`, 'second', 4, { seed })),
    );
    // The grid: the n-gram "first" with one seed, the recurrent "second" with seeds 1 (rnn-2), 2 and 3.
    const grid = [
      { id: 'ngram-1', label: 'first', seed: 1 },
      { id: 'rnn-2', label: 'second', seed: 1 },
      { id: 'rnn-20', label: 'second', seed: 2 },
      { id: 'rnn-30', label: 'second', seed: 3 },
    ].map((c, index) => ({ ...c, index, corpusId: 'ab-1', mode: 'sentence', corpus: { spec: 'ab' } }) as unknown as Cell);
    const exp = experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: [{ best: 'ngram' }, { each: 'rnn' }] }] });
    const made = recordExperimentMixtures(exp, grid, dir, ENV);
    // Not a failed row for seeds 2 and 3 (whose groups have no n-gram of their own), and no mixture twice.
    expect(made).toMatchObject({ made: 3, failed: 0 });
    const rows = readResults(dir).rows.filter((r) => r.family === 'mixture');
    expect(rows.map((r) => [JSON.parse(r.hyperParameters).components.map((c: { id: string }) => c.id), r.seed])).toEqual([
      [['ngram-1', 'rnn-2'], 1],
      [['ngram-1', 'rnn-20'], 2],
      [['ngram-1', 'rnn-30'], 3],
    ]);
  });

  it('drops the mixtures (rows and per-token files) that an earlier run made and the experiment no longer asks for', () => {
    const { dir, grid } = fixture();
    recordExperimentMixtures(experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: ['first', 'second'] }] }), grid, dir, ENV);
    const old = mixtureId(['ngram-1', 'rnn-2']);
    expect(existsSync(join(dir, 'runs', `${old}.test.f32`))).toBe(true);
    recordExperimentMixtures(experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: ['fourth', 'fifth'] }] }), grid, dir, ENV);
    expect(
      readResults(dir)
        .rows.filter((r) => r.family === 'mixture')
        .map((r) => r.id),
    ).toEqual([mixtureId(['ngram-4', 'gru-5'])]);
    expect(['valid', 'test'].map((split) => existsSync(join(dir, 'runs', `${old}.${split}.f32`)))).toEqual([false, false]);
    // The runs themselves keep their files.
    expect(existsSync(join(dir, 'runs', 'ngram-1.test.f32'))).toBe(true);
  });

  it('records a failed mixture row with the reason when a selector matches no successful run', () => {
    const { dir } = fixture();
    const exp = experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: [{ best: 'ngram' }, { each: 'lstm' }] }] });
    const grid = [...cells(['ngram-1', 'rnn-2']), { ...cells(['lstm-9'])[0]!, plugin: 'lstm', family: 'recurrent', index: 2 }];
    const summary = recordExperimentMixtures(exp, grid as Cell[], dir, ENV);
    expect(summary).toMatchObject({ made: 0, failed: 1 });
    const failed = readResults(dir).rows.find((r) => r.family === 'mixture')!;
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('"mixtures[0].components[1]" ({"each":"lstm"}): no successful run of lstm on ab (sentence, seed 1)');
  });

  it('refuses, before any cell runs, a selector that matches nothing in the grid, naming it', () => {
    const exp = experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: ['unigram', { best: 'ngram' }] }] });
    const grid = [{ ...cells(['unigram-1'])[0]!, plugin: 'unigram', family: 'example', label: 'unigram' }] as Cell[];
    expect(() => checkMixtureSelectors(exp, grid)).toThrow(
      /mixes\.json: "mixtures\[0\]\.components\[1\]" \(\{"best":"ngram"\}\) matches no run of the experiment \(the plug-ins and families are unigram, example\)/,
    );
    const typo = experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: ['unigarm'] }] });
    expect(() => checkMixtureSelectors(typo, grid)).toThrow(
      /"mixtures\[0\]\.components\[0\]" \("unigarm"\) matches no run of the experiment \(the runs are unigram\)/,
    );
    expect(() => experiment({ corpora: ['ship'], models: MODELS, mixtures: [{ components: [{ worst: 'ngram' }] }] })).toThrow(/mixtures\[0\]\.components\[0\]/);
  });

  it('are added by run to an experiment whose cells were all done, without changing the cells', async () => {
    const base = { corpora: ['ship'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 2] } }] };
    const out = tmp();
    const dir = tmp();
    await runExperiment(experiment(base, dir), { outDir: out });
    const before = readResults(out).rows;
    const summary = await runExperiment(experiment({ ...base, mixtures: [{ components: [{ each: 'unigram' }, { best: 'unigram' }] }] }, dir), { outDir: out });
    expect(summary).toMatchObject({ ran: 0, skipped: 2, mixtures: 1, mixturesFailed: 0, kept: 0 });
    const after = readResults(out).rows;
    expect(after.slice(0, 2)).toEqual(before);
    // The best unigram (alpha 0.5, by valid) with each unigram: with itself it is no mixture, so one with alpha 2.
    expect(after[2]).toMatchObject({ family: 'mixture', label: 'mix(unigram alpha=2 + unigram alpha=0.5)', status: 'ok' });
  });

  it('"resamples" reaches every cell without changing the run ids of experiments that do not set it', () => {
    const base = { corpora: ['ship'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 2] } }] };
    const plain = expandGrid(experiment(base));
    const finer = expandGrid(experiment({ ...base, resamples: 500 }));
    expect(finer.map((c) => c.id)).toEqual(plain.map((c) => c.id));
    expect(plain.every((c) => !('resamples' in c))).toBe(true);
    expect(finer.map((c) => c.resamples)).toEqual([500, 500]);
    expect(() => experiment({ ...base, resamples: 10 })).toThrow(/"resamples": must be at least 100/);
  });
});
