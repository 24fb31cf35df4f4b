import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { bundledExperiments, loadExperiment, parseExperiment, type Experiment } from '../../harness/experiment/config.ts';
import { canonicalJson, expandGrid, gridProduct, parseShard, shardCells } from '../../harness/experiment/grid.ts';

function experiment(config: unknown, name = 'test'): Experiment {
  return { name, path: '/somewhere/test.json', config: parseExperiment(config, 'test.json') };
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('experiment config', () => {
  it('fills in defaults', () => {
    const c = parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }] }, 'x.json');
    expect(c.seeds).toEqual([1]);
    expect(c.protocol).toBe('sentence');
    expect(c.budget).toEqual({});
    expect(c.models[0]!.hyperParameters).toEqual({});
  });

  it('names the bad key and says why', () => {
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }], seed: [1] }, 'x.json'))).toMatch(
      /^x\.json: unknown key "seed"$/,
    );
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram', hyperparameters: {} }] }, 'x.json'))).toMatch(
      /unknown key "hyperparameters" in "models\[0\]"/,
    );
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }], seeds: [1.5] }, 'x.json'))).toMatch(/"seeds\[0\]": .*int/i);
    expect(errorOf(() => parseExperiment({ corpora: [], models: [{ plugin: 'unigram' }] }, 'x.json'))).toMatch(/"corpora": needs at least one corpus/);
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }], protocol: 'streams' }, 'x.json'))).toMatch(/"protocol": /);
    expect(
      errorOf(() => parseExperiment({ corpora: [{ spec: 'text:a.txt', fractions: [0.5, 0.5, 0.5] }], models: [{ plugin: 'unigram' }] }, 'x.json')),
    ).toMatch(/"corpora\[0\]\.fractions": train, valid and test fractions must add up to 1/);
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }], budget: { epochs: 0 } }, 'x.json'))).toMatch(
      /"budget\.epochs": /,
    );
  });

  it('checks every grid point against the plug-in schema before running', () => {
    expect(errorOf(() => expandGrid(experiment({ corpora: ['hihello'], models: [{ plugin: 'unigramm' }] })))).toMatch(
      /"models\[0\]\.plugin": unknown model "unigramm"; available: .*unigram/,
    );
    const message = errorOf(() =>
      expandGrid(experiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }, { plugin: 'unigram', hyperParameters: { alpha: [1, -2] } }] })),
    );
    expect(message).toMatch(/"models\[1\]\.hyperParameters" \(unigram \{"alpha":-2\}\): option "alpha"/);
    expect(errorOf(() => expandGrid(experiment({ corpora: ['hihello'], models: [{ plugin: 'unigram', hyperParameters: { beta: 1 } }] })))).toMatch(
      /unknown option "beta"/,
    );
  });

  it('refuses the option names of before 1.0.0 with the name that replaced them', () => {
    const models = [{ plugin: 'window', hyperParameters: { n: 3, lr: 0.01, epochs: 4 } }];
    expect(errorOf(() => expandGrid(experiment({ corpora: ['hihello'], models })))).toMatch(
      /\(window \{"epochs":4,"lr":0\.01,"n":3\}\): option "lr" was renamed to "learningRate" in 1\.0\.0; option "epochs" was renamed to "maxEpochs" in 1\.0\.0$/,
    );
  });

  it('reads files and bundled names, with clear errors for bad JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-config-'));
    writeFileSync(join(dir, 'bad.json'), '{"corpora": [');
    expect(errorOf(() => loadExperiment(join(dir, 'bad.json')))).toMatch(/bad\.json: not valid JSON/);
    expect(errorOf(() => loadExperiment(join(dir, 'none.json')))).toMatch(/none\.json: no such file/);
    expect(errorOf(() => loadExperiment('no-such-bundled'))).toMatch(/no experiment "no-such-bundled"/);
    writeFileSync(join(dir, 'ok.json'), JSON.stringify({ corpora: ['hihello'], models: [{ plugin: 'unigram' }] }));
    expect(loadExperiment(join(dir, 'ok.json')).name).toBe('ok');
    expect(bundledExperiments()).toEqual(expect.arrayContaining(['default', 'brown']));
    for (const name of bundledExperiments()) expect(expandGrid(loadExperiment(name)).length).toBeGreaterThan(0);
  });
});

describe('grid', () => {
  it('is the product of the listed values, last key fastest', () => {
    expect(gridProduct({ a: [1, 2], b: 'x', c: [true, false] })).toEqual([
      { a: 1, b: 'x', c: true },
      { a: 1, b: 'x', c: false },
      { a: 2, b: 'x', c: true },
      { a: 2, b: 'x', c: false },
    ]);
    expect(gridProduct({})).toEqual([{}]);
  });

  it('expands corpora × models × points × protocols × seeds with stable ids and labels', () => {
    const config = {
      corpora: ['hihello', { spec: 'ship', label: 'Ship' }],
      models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.5, 1] } }],
      seeds: [1, 2],
      protocol: ['sentence', 'stream'],
    };
    const cells = expandGrid(experiment(config));
    expect(cells).toHaveLength(2 * 2 * 2 * 2);
    expect(cells.map((c) => c.index)).toEqual([...cells.keys()]);
    expect(cells[0]).toMatchObject({ plugin: 'unigram', family: 'example', label: 'unigram alpha=0.5', seed: 1, mode: 'sentence' });
    expect(cells[1]).toMatchObject({ seed: 2, mode: 'sentence' });
    expect(cells[2]).toMatchObject({ seed: 1, mode: 'stream' });
    expect(new Set(cells.map((c) => c.id)).size).toBe(cells.length);
    // Ids depend on what defines a run, not on labels or positions.
    const again = expandGrid(experiment({ ...config, corpora: ['hihello', { spec: 'ship', label: 'Renamed' }], seeds: [2, 1] }));
    expect(new Set(again.map((c) => c.id))).toEqual(new Set(cells.map((c) => c.id)));
  });

  it('a model entry may give its own seeds; the ids of entries without them are those of before', () => {
    const models = [
      { plugin: 'unigram', hyperParameters: { alpha: [0.5, 1] } },
      { plugin: 'ngram', hyperParameters: { order: 2 }, seeds: [1, 2, 3] },
    ];
    const cells = expandGrid(experiment({ corpora: ['hihello'], models, seeds: [1, 2] }));
    expect(cells.map((c) => `${c.plugin} ${c.seed}`)).toEqual(['unigram 1', 'unigram 2', 'unigram 1', 'unigram 2', 'ngram 1', 'ngram 2', 'ngram 3']);
    // Ids computed by the grid before entries could give seeds (commit 0c3188f): unchanged.
    expect(cells.slice(0, 4).map((c) => c.id)).toEqual(['unigram-90a717cfc688', 'unigram-9f9fddc69b72', 'unigram-117aae3d8440', 'unigram-7b0711248235']);
    // An entry's seeds that equal the experiment's give the same runs as leaving them out.
    const same = expandGrid(experiment({ corpora: ['hihello'], models: [{ ...models[0], seeds: [1, 2] }], seeds: [1, 2] }));
    expect(same.map((c) => c.id)).toEqual(cells.slice(0, 4).map((c) => c.id));
    expect(errorOf(() => parseExperiment({ corpora: ['hihello'], models: [{ plugin: 'unigram', seeds: [] }] }, 'x.json'))).toMatch(
      /"models\[0\]\.seeds": needs at least one seed/,
    );
  });

  it('a text corpus edited on disk gives its runs new ids (they are no longer done)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-grid-'));
    const path = join(dir, 'e.json');
    const config = { corpora: ['text:words.txt'], models: [{ plugin: 'unigram' }] };
    const exp = { name: 'e', path, config: parseExperiment(config, path) };
    writeFileSync(join(dir, 'words.txt'), 'a b c\nd e f\n');
    const before = expandGrid(exp)[0]!;
    expect(expandGrid(exp)[0]!.id).toBe(before.id);
    writeFileSync(join(dir, 'words.txt'), 'a b c\nd e g\n');
    const after = expandGrid(exp)[0]!;
    expect(after.id).not.toBe(before.id);
    expect(after.corpusId).not.toBe(before.corpusId);
    expect(after.corpusId).toMatch(/^words-[0-9a-f]{12}$/);
  });

  it('shows fixed values in labels when one plug-in has several unlabelled entries', () => {
    const cells = expandGrid(
      experiment({
        corpora: ['hihello'],
        models: [
          { plugin: 'unigram', hyperParameters: { alpha: 1 } },
          { plugin: 'unigram', hyperParameters: { alpha: 2 } },
        ],
      }),
    );
    expect(cells.map((c) => c.label)).toEqual(['unigram alpha=1', 'unigram alpha=2']);
    expect(
      errorOf(() => expandGrid(experiment({ corpora: ['hihello'], models: [{ plugin: 'unigram' }, { plugin: 'unigram', hyperParameters: { alpha: 1 } }] }))),
    ).toMatch(/appears twice/);
  });

  it('shards are disjoint, cover the grid and balance', () => {
    const cells = expandGrid(experiment({ corpora: ['hihello', 'ship'], models: [{ plugin: 'unigram', hyperParameters: { alpha: [0.1, 0.2, 0.5, 1, 2] } }] }));
    const shards = [1, 2, 3].map((k) => shardCells(cells, { k, n: 3 }));
    expect(shards.map((s) => s.length)).toEqual([4, 3, 3]);
    expect(
      shards
        .flat()
        .map((c) => c.id)
        .sort(),
    ).toEqual(cells.map((c) => c.id).sort());
    expect(parseShard('2/3')).toEqual({ k: 2, n: 3 });
    for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) expect(errorOf(() => parseShard(bad))).toMatch(/--shard must be K\/N/);
  });

  it('canonical JSON sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":2,"z":1}]},"b":1}');
  });
});
