import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCorpus, predictedTokens } from '../../corpora/corpus.ts';
import { toyCorpus } from '../../corpora/toy.ts';
import { parseExperiment } from '../../harness/experiment/config.ts';
import { expandGrid } from '../../harness/experiment/grid.ts';
import { runCell } from '../../harness/experiment/run-cell.ts';
import { trainAndMeasure } from '../../harness/measure.ts';
import { evaluate } from '../../harness/metrics.ts';
import type { NgramModel } from '../../models/ngram/model.ts';
import { findPlugin } from '../../models/registry.ts';
import { trainModel } from '../../harness/train.ts';
import { cliInProcess } from './cli-in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'measure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HP = { n: 3, m: 4, h: 5, direct: true, maxEpochs: 2 };

describe('train and run measure a model the same way', () => {
  it('trainAndMeasure: valid always, test when asked, throughputs from its own timings', async () => {
    const corpus = encodeCorpus(toyCorpus('ship'));
    const model = findPlugin('window').create(HP, corpus.vocab);
    const perToken = new Float64Array(predictedTokens(corpus.test));
    const m = await trainAndMeasure(model, corpus, { seed: 3, mode: 'sentence', testPerToken: perToken });
    expect(m.valid).toEqual(evaluate(model.scorer(), corpus.valid, { mode: 'sentence', level: corpus.level }));
    expect(m.test?.logprob).toBe(perToken.reduce((a, b) => a + b, 0));
    expect(m.report.epochs).toHaveLength(2);
    expect(m.trainTokensPerSecond).toBeCloseTo(m.report.tokensTrained / (m.trainSeconds - m.report.validateSeconds), 6);
    expect(m.scoringTokensPerSecond).toBeGreaterThan(0);
    const withoutTest = await trainAndMeasure(findPlugin('window').create(HP, corpus.vocab), corpus, { seed: 3, mode: 'sentence' });
    expect(withoutTest.test).toBeUndefined();
    expect(withoutTest.valid.perplexity).toBe(m.valid.perplexity);
  });

  it('`train --json` and an experiment cell report the same model with the same numbers', async () => {
    const args = ['--n', '3', '--m', '4', '--h', '5', '--direct', '--max-epochs', '2'];
    const cli = await cliInProcess('train', '--model', 'window', '--corpus', 'ship', '--seed', '3', '--mode', 'stream', ...args, '--json');
    expect(cli.code).toBe(0);
    const trained = JSON.parse(cli.stdout);
    const config = parseExperiment({ corpora: ['ship'], models: [{ plugin: 'window', hyperParameters: HP }], seeds: [3], protocol: 'stream' }, 'x.json');
    const [cell] = expandGrid({ name: 'x', path: join(dir, 'x.json'), config });
    const result = await runCell({ cell: cell!, outDir: dir, runPid: process.pid, plugins: [] }, () => {});
    expect(result.validPerplexity).toBe(trained.validPerplexity);
    expect(result.trainTokens).toBe(trained.trainTokens);
    expect(result.epochs.map((e) => e.validPerplexity)).toEqual(trained.epochs.map((e: { validPerplexity: number }) => e.validPerplexity));
    expect(result.parameters).toBe(trained.parameters);
    expect(result.modelBytes).toBe(trained.bytes);
    for (const r of [result, trained]) {
      expect(r.scoringTokensPerSecond).toBeGreaterThan(0);
      expect(r.trainTokensPerSecond).toBeGreaterThan(0);
    }
  });

  it('an n-gram model reports its stored n-grams (bytes per n-gram) in `train` and in its cell; other families none', async () => {
    const cli = await cliInProcess('train', '--model', 'ngram', '--order', '3', '--prob-bits', '8', '--corpus', 'ship', '--json');
    expect(cli.code).toBe(0);
    const trained = JSON.parse(cli.stdout);
    const hp = { order: 3, probBits: 8 };
    const config = parseExperiment({ corpora: ['ship'], models: [{ plugin: 'ngram', hyperParameters: hp }], seeds: [1] }, 'x.json');
    const [cell] = expandGrid({ name: 'x', path: join(dir, 'x.json'), config });
    const result = await runCell({ cell: cell!, outDir: dir, runPid: process.pid, plugins: [] }, () => {});
    const model = findPlugin('ngram').create(hp, encodeCorpus(toyCorpus('ship')).vocab) as NgramModel;
    await trainModel(model, encodeCorpus(toyCorpus('ship')), { seed: 1, mode: 'sentence' });
    const ngrams = model.ngramCounts().reduce((a, b) => a + b, 0);
    expect(trained.ngrams).toBe(ngrams);
    expect(result.storedNgrams).toBe(ngrams);
    expect(trained.bytesPerNgram).toBe(model.byteSize() / ngrams);
    expect(result.modelBytes / result.storedNgrams!).toBe(trained.bytesPerNgram);
    const text = await cliInProcess('train', '--model', 'ngram', '--order', '3', '--corpus', 'ship');
    expect(text.stdout).toMatch(/bytes \(\d+ n-grams, \d+\.\d\d bytes per n-gram\)/);
    const windowConfig = parseExperiment({ corpora: ['ship'], models: [{ plugin: 'window', hyperParameters: HP }], seeds: [3] }, 'x.json');
    const [windowCell] = expandGrid({ name: 'x', path: join(dir, 'x.json'), config: windowConfig });
    const window = await runCell({ cell: windowCell!, outDir: dir, runPid: process.pid, plugins: [] }, () => {});
    expect(window.storedNgrams).toBeNull();
  });
});
