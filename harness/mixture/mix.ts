import { rmSync } from 'node:fs';
import { UNK_ID } from '../../corpora/vocabulary.ts';
import type { RunEnvironment } from '../experiment/environment.ts';
import { canonicalJson, shortHash } from '../experiment/grid.ts';
import { NO_MEASUREMENTS, readResults, type ResultRow, writeResults } from '../experiment/results.ts';
import { runTokensPath, writeRunTokens } from '../experiment/token-files.ts';
import { bootstrapPerplexity, type PerplexityInterval } from '../statistics/bootstrap.ts';
import { fitMixture, MIXTURE_TOLERANCE, mixLogProbs } from '../statistics/mixture.ts';
import { RunLoader, sentenceLengthsOf } from '../comparison/runs.ts';
import { checkSamePredictions } from '../comparison/same-tokens.ts';

import { MIXTURE_FAMILY } from './family.ts';

export interface MixOptions {
  /** EM stops when a step gains less than this many nats per valid token (as SRILM's compute-best-mix). */
  readonly tolerance?: number;
  readonly resamples?: number;
  /** The experiment the row belongs to (default: the components', when they share one, else "mix"). */
  readonly experiment?: string;
  /** The experiment's "mixtures" entry that asked for it (`mixtures[0]`): `run` replaces those rows, never those of `mix`. */
  readonly entry?: string;
  /** Grid position of the row (default: after every run of its experiment in `rows`). */
  readonly cell?: number;
}

/** A split's perplexity of the mixture or of one component, with its 95% bootstrap interval. */
export interface SplitFigure extends PerplexityInterval {
  readonly perplexity: number;
}

export interface MixtureOutcome {
  readonly row: ResultRow;
  readonly components: readonly ResultRow[];
  readonly weights: readonly number[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly tolerance: number;
  readonly valid: SplitFigure;
  readonly test: SplitFigure;
  readonly componentFigures: readonly { readonly valid: SplitFigure; readonly test: SplitFigure }[];
  readonly validLogProbs: Float64Array;
  readonly testLogProbs: Float64Array;
}

/**
 * A mixture's id: from its components' ids, whatever their order (the same runs in another order are the same
 * mixture), so mixing the same runs again replaces its row.
 */
export function mixtureId(componentIds: readonly string[]): string {
  return `mixture-${shortHash(canonicalJson({ mixture: [...componentIds].sort() }))}`;
}

/** "mix(ngram order=5 smoothing=mkn + lstm)". */
export function mixtureLabel(components: readonly ResultRow[]): string {
  return `mix(${components.map((c) => c.label).join(' + ')})`;
}

function sumOf(values: readonly (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + v!, 0);
}

function figure(logProbs: ArrayLike<number>, lengths: Int32Array, row: ResultRow, resamples: number | undefined): SplitFigure {
  let sum = 0;
  for (let t = 0; t < logProbs.length; t++) sum += logProbs[t]!;
  const interval = bootstrapPerplexity(logProbs, lengths, { mode: row.mode === 'stream' ? 'stream' : 'sentence', ...(resamples ? { resamples } : {}) });
  return { perplexity: Math.exp(-sum / logProbs.length), ...interval };
}

/**
 * Mix runs that predicted the same tokens: EM weights on the valid split's per-token ln p (maximum likelihood,
 * SRILM's compute-best-mix), applied to the test split's; both splits' perplexities with their bootstrap intervals,
 * for the mixture and each component; and the mixture's results row. Nothing is written (see `recordMixture`).
 */
export function mixRuns(
  dir: string,
  components: readonly ResultRow[],
  rows: readonly ResultRow[],
  env: RunEnvironment,
  options: MixOptions = {},
): MixtureOutcome {
  const loader = new RunLoader(dir);
  const valid = components.map((c) => loader.load(c, 'valid'));
  const test = components.map((c) => loader.load(c, 'test'));
  checkSamePredictions(valid);
  checkSamePredictions(test);
  const tolerance = options.tolerance ?? MIXTURE_TOLERANCE;
  const fitted = fitMixture(
    valid.map((v) => v.logProbs),
    { tolerance },
  );
  const weights = [...fitted.weights];
  const testLogProbs = mixLogProbs(
    test.map((t) => t.logProbs),
    weights,
  );
  const testTargets = test[0]!.targets;
  const validLengths = sentenceLengthsOf(valid[0]!.targets);
  const testLengths = sentenceLengthsOf(testTargets);
  const first = components[0]!;
  const validFigure = figure(fitted.logProbs, validLengths, first, options.resamples);
  const testFigure = figure(testLogProbs, testLengths, first, options.resamples);
  const componentFigures = components.map((c, k) => ({
    valid: figure(valid[k]!.logProbs, validLengths, c, options.resamples),
    test: figure(test[k]!.logProbs, testLengths, c, options.resamples),
  }));

  // KenLM's "excluding OOVs": the test tokens whose target is not <unk>.
  let withoutUnk = 0;
  let known = 0;
  for (let t = 0; t < testLogProbs.length; t++) {
    if (testTargets[t] === UNK_ID) continue;
    withoutUnk += testLogProbs[t]!;
    known++;
  }
  const bitsPerCharacter = (logProbs: Float64Array, characters: number | null): number | null => {
    if (characters === null) return null;
    let sum = 0;
    for (let t = 0; t < logProbs.length; t++) sum += logProbs[t]!;
    return -sum / characters / Math.LN2;
  };
  const experiments = [...new Set(components.map((c) => c.experiment))];
  const experiment = options.experiment ?? (experiments.length === 1 ? experiments[0]! : 'mix');
  const id = mixtureId(components.map((c) => c.id));
  const earlier = rows.find((r) => r.id === id);
  const cell = options.cell ?? earlier?.cell ?? Math.max(-1, ...rows.filter((r) => r.experiment === experiment).map((r) => r.cell)) + 1;
  const row: ResultRow = {
    ...NO_MEASUREMENTS,
    experiment,
    cell,
    id,
    status: 'ok',
    error: '',
    corpus: first.corpus,
    corpusId: first.corpusId,
    model: MIXTURE_FAMILY,
    family: MIXTURE_FAMILY,
    familyLabel: MIXTURE_FAMILY,
    // A mixture's history is each component's: no one context length.
    contextLength: null,
    contextParameter: '',
    label: mixtureLabel(components),
    hyperParameters: canonicalJson({
      components: components.map((c, k) => ({ id: c.id, label: c.label, weight: weights[k] })),
      tolerance,
      ...(options.entry !== undefined ? { entry: options.entry } : {}),
    }),
    // The largest of its components' seeds: a one-seed n-gram mixed with each seed of a neural model gives the
    // seeds of one mixture configuration (the same label), which the report then summarises over its seeds.
    seed: Math.max(...components.map((c) => c.seed)),
    mode: first.mode,
    budget: '{}',
    validPerplexity: validFigure.perplexity,
    testPerplexity: testFigure.perplexity,
    testPerplexityWithoutUnk: Math.exp(-withoutUnk / known),
    validPerplexityLow: validFigure.low,
    validPerplexityHigh: validFigure.high,
    testPerplexityLow: testFigure.low,
    testPerplexityHigh: testFigure.high,
    validBitsPerCharacter: bitsPerCharacter(fitted.logProbs, first.validCharacters),
    testBitsPerCharacter: bitsPerCharacter(testLogProbs, first.testCharacters),
    validCharacters: first.validCharacters,
    testCharacters: first.testCharacters,
    validTokens: first.validTokens,
    testTokens: first.testTokens,
    validUnk: first.validUnk,
    testUnk: first.testUnk,
    vocabSize: first.vocabSize,
    trainTokens: first.trainTokens,
    // A mixture needs every component at hand: its size is theirs together, and so is its training time.
    parameters: sumOf(components.map((c) => c.parameters)),
    modelBytes: sumOf(components.map((c) => c.modelBytes)),
    storedNgrams: sumOf(components.map((c) => c.storedNgrams)),
    trainSeconds: sumOf(components.map((c) => c.trainSeconds)),
    ...env,
    date: new Date().toISOString(),
  };
  return {
    row,
    components,
    weights,
    iterations: fitted.iterations,
    converged: fitted.converged,
    tolerance,
    valid: validFigure,
    test: testFigure,
    componentFigures,
    validLogProbs: fitted.logProbs,
    testLogProbs,
  };
}

/** A mixture's per-token files (ln Σ λ p of each split) under `dir/runs/`; its row is the caller's to write, under the folder's lock. */
export function writeMixtureTokens(dir: string, outcome: MixtureOutcome): void {
  writeRunTokens(dir, outcome.row.id, outcome.testLogProbs);
  writeRunTokens(dir, outcome.row.id, outcome.validLogProbs, 'valid');
}

/**
 * Put rows into `dir/results.csv`, each replacing the row of its id (and removing the rows of `drop`), through the
 * atomic writers. The caller holds the folder's lock (`lockResults`).
 */
export function recordRows(dir: string, rows: readonly ResultRow[], drop: readonly string[] = []): void {
  const set = readResults(dir);
  const replaced = new Set([...rows.map((r) => r.id), ...drop]);
  writeResults(dir, { rows: [...set.rows.filter((r) => !replaced.has(r.id)), ...rows], curves: set.curves });
  // The per-token files of the dropped mixtures (which an earlier `run` of the experiment made) go with their rows,
  // after them, so that no row is ever left without its files.
  for (const id of drop) {
    // Only a mixture's files, which `run` wrote (a hand-edited row naming another run never removes its files).
    if (!id.startsWith('mixture-')) continue;
    for (const split of ['valid', 'test'] as const) rmSync(runTokensPath(dir, id, split), { force: true });
  }
}
