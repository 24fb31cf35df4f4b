/**
 * Records the reference numbers of test/numerics/fit-parity.test.ts: small window and recurrent models on a
 * slice of Brown, stream and sentence mode, a few epochs each — every epoch's valid perplexity, train loss and
 * learning rate to full precision, and the test split's log-probability with its first per-token values.
 * First run on main at 04a373e (the two training loops before `fit`, with the option names of then: the
 * fixture keeps those; `caseHyperParameters` migrates them); the numbers must not change: run on any later
 * commit, the script writes the same numbers (a recurrent run ended by its maxEpochs now says 'done', not 'epochs').
 *
 *   npx tsx bench/fit-reference.ts > test/fixtures/fit/reference.json
 */
import { brownHead } from '../corpora/brown.ts';
import { encodeCorpus, type EncodedCorpus } from '../corpora/corpus.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { migrateRenamedOptions } from '../models/option-names.ts';
import { findPlugin } from '../models/registry.ts';
import type { Budget, Protocol } from '../models/types.ts';

export interface ReferenceCase {
  readonly name: string;
  readonly plugin: string;
  readonly hyperParameters: Record<string, unknown>;
  readonly mode: Protocol;
  readonly budget?: Budget;
}

const WINDOW = { n: 3, m: 8, h: 12, direct: true, batchSize: 32, epochs: 3 };
const WINDOW_SGD = { n: 4, m: 6, h: 10, batchSize: 16, optimizer: 'sgd', lr: 0.3, momentum: 0.9, dropout: 0.2, clip: 1, epochs: 3 };
const RECURRENT = { embeddingSize: 12, hiddenSize: 12, batchSize: 8, bptt: 10, maxEpochs: 3 };

export const CASES: readonly ReferenceCase[] = [
  { name: 'window stream', plugin: 'window', hyperParameters: WINDOW, mode: 'stream' },
  { name: 'window sentence', plugin: 'window', hyperParameters: WINDOW, mode: 'sentence' },
  { name: 'window sgd dropout clip', plugin: 'window', hyperParameters: WINDOW_SGD, mode: 'stream' },
  { name: 'window lr plateau', plugin: 'window', hyperParameters: { ...WINDOW, lr: 0.03, epochs: 4 }, mode: 'stream' },
  { name: 'window float64', plugin: 'window', hyperParameters: { n: 2, m: 4, h: 4, batchSize: 64, dtype: 'float64', epochs: 2 }, mode: 'sentence' },
  { name: 'window token budget', plugin: 'window', hyperParameters: WINDOW, mode: 'stream', budget: { tokens: 12_000 } },
  { name: 'lstm stream', plugin: 'lstm', hyperParameters: RECURRENT, mode: 'stream' },
  { name: 'lstm sentence', plugin: 'lstm', hyperParameters: RECURRENT, mode: 'sentence' },
  {
    name: 'lstm 2 layers dropout tied sgd',
    plugin: 'lstm',
    hyperParameters: { ...RECURRENT, numLayers: 2, dropout: 0.2, tie: true, optimizer: 'sgd', learningRate: 1 },
    mode: 'stream',
  },
  { name: 'lstm high lr plateau', plugin: 'lstm', hyperParameters: { ...RECURRENT, learningRate: 0.05, maxEpochs: 4, patience: 2 }, mode: 'stream' },
  { name: 'lstm token budget', plugin: 'lstm', hyperParameters: RECURRENT, mode: 'sentence', budget: { tokens: 12_000 } },
  { name: 'gru stream', plugin: 'gru', hyperParameters: RECURRENT, mode: 'stream' },
  { name: 'gru sentence', plugin: 'gru', hyperParameters: RECURRENT, mode: 'sentence' },
  { name: 'rnn stream', plugin: 'rnn', hyperParameters: RECURRENT, mode: 'stream' },
  { name: 'rnn sentence relu', plugin: 'rnn', hyperParameters: { ...RECURRENT, nonlinearity: 'relu', clip: 0 }, mode: 'sentence' },
];

/** Brown's first 600 sentences (train), the next 80 (valid) and 80 (test); words seen once become <unk>. */
export function brownSlice(): EncodedCorpus {
  return encodeCorpus(brownHead(600, 80, 80, 2));
}

/** A case's hyper-parameters as recorded (the names of 04a373e), migrated to today's as an old checkpoint's are. */
export function caseHyperParameters(c: ReferenceCase): Record<string, unknown> {
  const plugin = findPlugin(c.plugin);
  return plugin.renamedOptions ? migrateRenamedOptions(c.hyperParameters, plugin.renamedOptions.names).hyperParameters : c.hyperParameters;
}

export async function runCase(corpus: EncodedCorpus, c: ReferenceCase) {
  const model = findPlugin(c.plugin).create(caseHyperParameters(c), corpus.vocab);
  const report = await trainModel(model, corpus, { seed: 7, mode: c.mode, ...(c.budget ? { budget: c.budget } : {}) });
  const perToken = new Float64Array(corpus.test.tokens.length + corpus.test.starts.length - 1);
  const test = evaluate(model.scorer(), corpus.test, { mode: c.mode, perToken });
  return {
    epochs: report.epochs.map((e) => ({
      epoch: e.epoch,
      tokensSeen: e.tokensSeen,
      trainLoss: e.trainLoss,
      validPerplexity: e.validPerplexity,
      learningRate: e.learningRate,
    })),
    bestEpoch: report.bestEpoch ?? null,
    stoppedBy: report.stoppedBy,
    tokensTrained: report.tokensTrained,
    testLogprob: test.logprob,
    testFirstLogProbs: Array.from(perToken.subarray(0, 8)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const corpus = brownSlice();
  const results = [];
  for (const c of CASES) {
    process.stderr.write(`${c.name}\n`);
    results.push({ ...c, ...(await runCase(corpus, c)) });
  }
  process.stdout.write(`${JSON.stringify({ recordedAt: '04a373e', vocabSize: corpus.vocab.size, cases: results }, null, 1)}\n`);
}
