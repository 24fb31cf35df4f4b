import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EncodedCorpus, EncodedSplit } from '../../corpora/corpus.ts';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../metrics.ts';
import { trainModel } from '../train.ts';
import { Random } from '../../numerics/random.ts';
import { loadCheckpoint, saveCheckpoint } from '../../models/checkpoint.ts';
import type { Budget, ConformanceCase, LanguageModel, ModelPlugin, Protocol, Scorer } from '../../models/types.ts';

/** One property's verdict: the figure it was judged on and, when it failed, the worst case found. */
export interface PropertyOutcome {
  readonly pass: boolean;
  /** The measured figure, in words: `max |Σp − 1| = 2.2e-16`. */
  readonly figure: string;
  /** Where the figure is worst (a history, a token); set when the property fails. */
  readonly worst?: string;
}

/** What a property runs on: a plug-in, one of its conformance cases, a corpus, and how to train. */
export interface PropertyInput {
  readonly plugin: ModelPlugin;
  readonly case: ConformanceCase;
  readonly corpus: EncodedCorpus;
  readonly seed: number;
  readonly budget: Budget;
}

export interface Property {
  readonly name: string;
  /** What it asks of a model, for titles and docs. */
  readonly claim: string;
  /** False when it does not apply to the case (finite perplexity of an unsmoothed model). */
  applies?(input: PropertyInput): boolean;
  check(input: PropertyInput): Promise<PropertyOutcome>;
}

/** Tolerances: Σp within 1e-6 of 1; a log-probability within 1e-5 (float32 models compute softmax and log-softmax apart). */
export const NORMALISATION_TOLERANCE = 1e-6;
export const LOG_PROB_TOLERANCE = 1e-5;

const exp = (x: number): string => (x === 0 ? '0' : x.toExponential(1));

async function trained(input: PropertyInput, mode: Protocol = 'sentence', budget: Budget = input.budget): Promise<LanguageModel> {
  const model = input.plugin.create(input.case.hyperParameters, input.corpus.vocab);
  await trainModel(model, input.corpus, { seed: input.seed, mode, budget });
  return model;
}

function perToken(model: LanguageModel, split: EncodedSplit, mode: Protocol = 'sentence'): Float64Array {
  const out = new Float64Array(split.tokens.length + split.starts.length - 1);
  evaluate(model.scorer(), split, { mode, perToken: out });
  return out;
}

/** 50 random histories: random ids (never `<s>`) after a reset, 0 to 9 of them. */
function randomHistories(vocabSize: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: 50 }, () =>
    Array.from({ length: random.int(10) }, () => {
      let t = BOS_ID;
      while (t === BOS_ID) t = random.int(vocabSize);
      return t;
    }),
  );
}

function words(model: LanguageModel, ids: readonly number[]): string {
  return `<s> ${ids.map((id) => model.vocab.word(id)).join(' ')}`.trim();
}

/** The index of the first difference between two runs of log-probabilities (equal infinities are equal), or −1. */
function firstDifference(a: Float64Array, b: Float64Array, tolerance = 0): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Math.abs(a[i]! - b[i]!) <= tolerance)) return i;
  }
  return -1;
}

/** Where token `i` of a split's protocol order is: its sentence and its position (or `</s>`). */
function tokenAt(model: LanguageModel, split: EncodedSplit, i: number): string {
  let k = i;
  for (let s = 0; s < split.starts.length - 1; s++) {
    const n = split.starts[s + 1]! - split.starts[s]!;
    if (k <= n) {
      const id = k < n ? split.tokens[split.starts[s]! + k]! : EOS_ID;
      return `test sentence ${s + 1}, token ${k + 1} ("${model.vocab.word(id)}")`;
    }
    k -= n + 1;
  }
  return `token ${i}`;
}

/**
 * After each of 50 random histories (fed to one scorer, reset between them), the distribution: `visit` sees the
 * history, the distribution and the scorer (positioned after the history).
 */
function afterRandomHistories(model: LanguageModel, seed: number, visit: (history: number[], p: Float64Array, scorer: Scorer) => void): void {
  const scorer = model.scorer();
  const p = new Float64Array(scorer.vocabSize);
  for (const history of randomHistories(scorer.vocabSize, seed)) {
    scorer.reset();
    for (const t of history) scorer.feed(t);
    scorer.distribution(p);
    visit(history, p, scorer);
  }
}

const normalisation: Property = {
  name: 'normalisation',
  claim: 'Σ distribution = 1 within 1e-6 and every p ≥ 0, over 50 random histories',
  async check(input) {
    const model = await trained(input);
    const V = input.corpus.vocab.size;
    const given = model.scorer().vocabSize;
    if (given !== V) return { pass: false, figure: `vocabSize ${given}, the vocabulary has ${V}`, worst: 'scorer.vocabSize' };
    let worst = -1;
    let worstHistory: number[] = [];
    let negative: string | undefined;
    afterRandomHistories(model, 11, (history, p) => {
      let sum = 0;
      for (let w = 0; w < V; w++) {
        if (!(p[w]! >= 0)) negative ??= `p("${model.vocab.word(w)}" | ${words(model, history)}) = ${p[w]}`;
        sum += p[w]!;
      }
      const error = Number.isNaN(sum) ? Infinity : Math.abs(sum - 1);
      if (error > worst) {
        worst = error;
        worstHistory = history;
      }
    });
    const figure = `max |Σp − 1| = ${exp(worst)}`;
    const tolerance = input.case.normalisationTolerance ?? NORMALISATION_TOLERANCE;
    const allowed = tolerance === NORMALISATION_TOLERANCE ? figure : `${figure} (declared approximation: within ${exp(tolerance)})`;
    if (negative) return { pass: false, figure: allowed, worst: negative };
    return worst <= tolerance ? { pass: true, figure: allowed } : { pass: false, figure: allowed, worst: `after "${words(model, worstHistory)}"` };
  },
};

const logProbMatchesDistribution: Property = {
  name: 'logProb = ln distribution',
  claim: 'logProb(w) = ln p(w) of distribution, within 1e-5, for every word after 50 random histories',
  async check(input) {
    const model = await trained(input);
    let worst = 0;
    let where = '';
    afterRandomHistories(model, 13, (history, p, scorer) => {
      for (let w = 0; w < p.length; w++) {
        const lp = scorer.logProb(w);
        // A probability too small for a double's log to matter: logProb need only be as small.
        const error = p[w]! > 1e-30 ? Math.abs(lp - Math.log(p[w]!)) : lp < Math.log(1e-29) ? 0 : Infinity;
        if (!(error <= worst)) {
          worst = Number.isNaN(error) ? Infinity : error;
          where = `"${model.vocab.word(w)}" after "${words(model, history)}": logProb ${lp}, ln p ${Math.log(p[w]!)}`;
        }
      }
    });
    const figure = `max |logProb − ln p| = ${exp(worst)}`;
    return worst <= LOG_PROB_TOLERANCE ? { pass: true, figure } : { pass: false, figure, worst: where };
  },
};

/** The worst |a − b| over two runs of log-probabilities (equal values, infinities included, differ by 0) and where. */
function worstDifference(a: ArrayLike<number>, b: ArrayLike<number>): { worst: number; at: number } {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const error = a[i] === b[i] ? 0 : Math.abs(a[i]! - b[i]!);
    if (!(error <= worst)) {
      worst = Number.isNaN(error) ? Infinity : error;
      at = i;
    }
  }
  return { worst, at };
}

/** ln p of every token of `tokens`, fed token by token from the scorer's current history. */
function tokenByToken(scorer: Scorer, tokens: Iterable<number>): number[] {
  const out: number[] = [];
  for (const t of tokens) {
    out.push(scorer.logProb(t));
    scorer.feed(t);
  }
  return out;
}

/**
 * `scoreSentences` against token by token on sentences of different lengths: `</s>` alone, each test sentence,
 * `</s>` alone again, and every test sentence run together into one long one; called after a history was fed
 * (each sentence must start from `<s>` regardless), and leaving the history `<s>` (the next `logProb` is that of
 * a fresh reset). Returns the worst difference and where, or undefined without `scoreSentences`.
 */
function checkScoreSentences(model: LanguageModel, split: EncodedSplit): { worst: number; where: string } | undefined {
  const scorer = model.scorer();
  if (!scorer.scoreSentences) return undefined;
  const eos = Int32Array.of(EOS_ID);
  const test = Array.from({ length: split.starts.length - 1 }, (_, s) =>
    Int32Array.from([...split.tokens.subarray(split.starts[s], split.starts[s + 1]), EOS_ID]),
  );
  const long = Int32Array.from([...split.tokens, EOS_ID]);
  const sentences = [eos, ...test, eos, long];
  const names = ['"</s>" alone, first', ...test.map((_, s) => `test sentence ${s + 1}`), '"</s>" alone, after the test sentences', 'the test sentences as one'];
  const outs = sentences.map((s) => new Float64Array(s.length));
  for (const t of split.tokens.subarray(0, 5)) scorer.feed(t);
  scorer.scoreSentences(sentences, outs);
  const reference = model.scorer();
  let worst = 0;
  let where = '';
  const first = split.tokens[0] ?? EOS_ID;
  const after = { worst: Math.abs(scorer.logProb(first) - reference.logProb(first)), at: 0 };
  if (!(after.worst <= worst)) {
    worst = Number.isNaN(after.worst) ? Infinity : after.worst;
    where = `after scoreSentences the history is not <s>: logProb("${model.vocab.word(first)}") ${scorer.logProb(first)}, after reset ${reference.logProb(first)}`;
  }
  sentences.forEach((s, j) => {
    reference.reset();
    const slow = tokenByToken(reference, s);
    const d = worstDifference(outs[j]!, slow);
    if (!(d.worst <= worst)) {
      worst = d.worst;
      where = `scoreSentences, ${names[j]}, token ${d.at + 1} ("${model.vocab.word(s[d.at]!)}"): ${outs[j]![d.at]}, token by token ${slow[d.at]}`;
    }
  });
  return { worst, where };
}

const bulkScoring: Property = {
  name: 'bulk = token by token',
  claim:
    'the fast paths evaluate uses (scoreSequence, scoreSentences, sentence and stream mode) give what logProb + feed give token by token, within 1e-5; reset forgets',
  async check(input) {
    const model = await trained(input);
    const split = input.corpus.test;
    const checked: string[] = [];
    let worst = 0;
    let where = '';
    for (const mode of ['sentence', 'stream'] as const) {
      const bulk = perToken(model, split, mode);
      const scorer = model.scorer();
      const slow: number[] = [];
      for (let s = 0; s < split.starts.length - 1; s++) {
        if (mode === 'sentence' || s === 0) scorer.reset();
        slow.push(...tokenByToken(scorer, [...split.tokens.subarray(split.starts[s], split.starts[s + 1]), EOS_ID]));
      }
      const d = worstDifference(bulk, slow);
      checked.push(`${bulk.length} tokens in ${mode} mode`);
      if (!(d.worst <= worst)) {
        worst = d.worst;
        where = `${mode} mode, ${tokenAt(model, split, d.at)}: bulk ${bulk[d.at]}, token by token ${slow[d.at]}`;
      }
    }
    const sentences = checkScoreSentences(model, split);
    if (sentences) {
      checked.push('scoreSentences');
      if (!(sentences.worst <= worst)) ({ worst, where } = sentences);
    }
    const figure = `max |bulk − token by token| = ${exp(worst)} over ${checked.join(', ')}`;
    return worst <= LOG_PROB_TOLERANCE ? { pass: true, figure } : { pass: false, figure, worst: where };
  },
};

const determinism: Property = {
  name: 'same seed, same model',
  claim: 'two trainings with the same seed give identical log-probabilities',
  async check(input) {
    const [a, b] = [perToken(await trained(input), input.corpus.test), perToken(await trained(input), input.corpus.test)];
    const i = firstDifference(a, b);
    const figure = `${i < 0 ? 0 : a.filter((x, j) => x !== b[j]).length} of ${a.length} test log-probabilities differ`;
    return i < 0 ? { pass: true, figure } : { pass: false, figure, worst: `test token ${i + 1}: ${a[i]} then ${b[i]}` };
  },
};

const saveLoad: Property = {
  name: 'save → load',
  claim: 'a model saved and loaded gives identical log-probabilities and parameter count',
  async check(input) {
    const model = await trained(input);
    const dir = mkdtempSync(join(tmpdir(), 'pb-conformance-'));
    try {
      saveCheckpoint(join(dir, 'model'), model.toCheckpoint());
      const loaded = input.plugin.fromCheckpoint(loadCheckpoint(join(dir, 'model')));
      const [a, b] = [perToken(model, input.corpus.test), perToken(loaded, input.corpus.test)];
      const i = firstDifference(a, b);
      if (loaded.parameterCount() !== model.parameterCount()) {
        return { pass: false, figure: `parameters ${model.parameterCount()} before, ${loaded.parameterCount()} after`, worst: 'parameterCount()' };
      }
      const figure = `${i < 0 ? 0 : a.filter((x, j) => x !== b[j]).length} of ${a.length} test log-probabilities changed`;
      return i < 0 ? { pass: true, figure } : { pass: false, figure, worst: `test token ${i + 1}: ${a[i]} before, ${b[i]} after` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const finitePerplexity: Property = {
  name: 'finite perplexity ≥ 1',
  claim: 'a smoothed model gives no test token probability 0 and a finite test perplexity ≥ 1, in both protocols',
  applies: (input) => input.case.smoothed !== false,
  async check(input) {
    const figures: string[] = [];
    for (const mode of ['sentence', 'stream'] as const) {
      const m = evaluate((await trained(input, mode)).scorer(), input.corpus.test, { mode, level: input.corpus.level });
      figures.push(`${mode} ${m.perplexity.toPrecision(5)}`);
      if (m.zeroProbability > 0 || !Number.isFinite(m.perplexity) || !(m.perplexity >= 1)) {
        return { pass: false, figure: `perplexity ${figures.join(', ')}`, worst: `${mode}: ${m.zeroProbability} test tokens with probability 0` };
      }
    }
    return { pass: true, figure: `perplexity ${figures.join(', ')}` };
  },
};

/**
 * What `byteSize` may be. At least 4 bytes a parameter (no built-in stores one in less than a float32), and at
 * most what its checkpoint's arrays hold, twice, plus 64 KiB: everything a model scores with is rebuilt from
 * its checkpoint, so it can hold no more than that and tables derived from it.
 */
export const BYTES_PER_PARAMETER = 4;
const SLACK_BYTES = 64 * 1024;

const byteSize: Property = {
  name: 'byteSize',
  claim: `parameterCount > 0 and ${BYTES_PER_PARAMETER} × parameterCount ≤ byteSize ≤ 2 × checkpoint arrays + 64 KiB`,
  async check(input) {
    const model = await trained(input);
    const parameters = model.parameterCount();
    const bytes = model.byteSize();
    const stored = Object.values(model.toCheckpoint().arrays).reduce((sum, a) => sum + a.byteLength, 0);
    const figure = `${bytes} bytes for ${parameters} parameters (${(bytes / Math.max(parameters, 1)).toFixed(2)} a parameter), checkpoint arrays ${stored} bytes`;
    if (!(parameters > 0)) return { pass: false, figure, worst: `parameterCount() = ${parameters}` };
    const least = input.case.bytesPerParameter ?? BYTES_PER_PARAMETER;
    if (!(bytes >= least * parameters)) return { pass: false, figure, worst: `byteSize() under ${least} × parameterCount()` };
    if (!(bytes <= 2 * stored + SLACK_BYTES)) return { pass: false, figure, worst: 'byteSize() over twice the checkpoint arrays + 64 KiB' };
    return { pass: true, figure };
  },
};

const trainingBudget: Property = {
  name: 'training budget',
  claim: 'training stops at a budget of 1 epoch and at a budget of ¼ of the training tokens (count-based models, which keep no epochs, are exempt)',
  async check(input) {
    const train = input.corpus.train.tokens.length + input.corpus.train.starts.length - 1;
    const tokens = Math.max(1, Math.floor(train / 4));
    const byEpoch = await trainModel(input.plugin.create(input.case.hyperParameters, input.corpus.vocab), input.corpus, {
      seed: input.seed,
      mode: 'sentence',
      budget: { epochs: 1 },
    });
    if (byEpoch.epochs.length === 0 && byEpoch.stoppedBy === 'done') return { pass: true, figure: 'count-based: no epochs, budgets do not apply' };
    const byTokens = await trainModel(input.plugin.create(input.case.hyperParameters, input.corpus.vocab), input.corpus, {
      seed: input.seed,
      mode: 'sentence',
      budget: { tokens, epochs: 4 },
    });
    const figure = `budget 1 epoch: ${byEpoch.epochs.length} epoch(s), stopped by ${byEpoch.stoppedBy}; budget ${tokens} tokens: ${byTokens.tokensTrained} trained, stopped by ${byTokens.stoppedBy}`;
    if (byEpoch.epochs.length > 1) return { pass: false, figure, worst: `budget { epochs: 1 } ran ${byEpoch.epochs.length} epochs` };
    // A step may finish its batch past the budget, but not a second budget's worth.
    if (byTokens.tokensTrained >= 2 * tokens) return { pass: false, figure, worst: `budget { tokens: ${tokens} } trained ${byTokens.tokensTrained} tokens` };
    return { pass: true, figure };
  },
};

/** Every property, in the order `check` prints them. */
export const PROPERTIES: readonly Property[] = [
  normalisation,
  logProbMatchesDistribution,
  bulkScoring,
  determinism,
  saveLoad,
  finitePerplexity,
  byteSize,
  trainingBudget,
];
