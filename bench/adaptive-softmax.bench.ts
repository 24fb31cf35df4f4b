import { performance } from 'node:perf_hooks';
import { brownCorpus } from '../corpora/brown.ts';
import { encodeCorpus } from '../corpora/corpus.ts';
import { EOS_ID } from '../corpora/vocabulary.ts';
import { addBias, biasGradient } from '../numerics/bias.ts';
import { softmaxCrossEntropy } from '../numerics/cross-entropy.ts';
import { matmul, matmulTransA, matmulTransB } from '../numerics/matmul.ts';
import { defaultCutoffs } from '../numerics/output/adaptive-shape.ts';
import { AdaptiveSoftmax } from '../numerics/output/adaptive-softmax.ts';
import { createParameter, zeroGradients } from '../numerics/parameter.ts';
import { Random } from '../numerics/random.ts';
import { logSoftmaxAt } from '../numerics/softmax.ts';
import { allocate, allocationMark, releaseSince } from '../numerics/tensor.ts';
import type { BenchFunction, BenchTable } from './types.ts';

/**
 * The adaptive softmax (`numerics/output/adaptive-softmax.ts`) against today's full softmax output layer, both
 * ours, float32 on the kernels, at the Brown vocabulary (|V| = 14,116, the default cut-offs [2000, 8000]) with
 * input width 128 and the targets of consecutive Brown training tokens (so each cluster gets its real share of
 * rows). The full layer is the recurrent models' (`models/rnn/network.ts`): logits = X·Wᵀ + b, fused softmax
 * cross-entropy in place, dW += dᵀX, db, dX = d·W; scoring is logits + `logSoftmaxAt`. Timed in interleaved
 * rounds (full, adaptive, full, adaptive, …), so that load from other processes hits both alike; the figure is
 * the median ratio of the rounds and its spread.
 */

const INPUT = 128;
const ROUNDS = 5;
/** Calls per round and layer: enough for ~0.1–0.5 s of the full layer at these sizes. */
const CALLS = 4;

function brownTargets(count: number): { targets: Int32Array; vocabSize: number } {
  const encoded = encodeCorpus(brownCorpus());
  const { tokens, starts } = encoded.train;
  const out = new Int32Array(count);
  let n = 0;
  for (let s = 0; s + 1 < starts.length && n < count; s++) {
    for (let i = starts[s]!; i < starts[s + 1]! && n < count; i++) out[n++] = tokens[i]!;
    if (n < count) out[n++] = EOS_ID;
  }
  return { targets: out, vocabSize: encoded.vocab.size };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Seconds for `calls` calls of f. */
function time(f: () => void, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) f();
  return (performance.now() - t0) / 1000;
}

function compare(name: string, rows: number, full: () => void, adaptive: () => void): Record<string, string | number> {
  full();
  adaptive();
  const ratios: number[] = [];
  const fullTimes: number[] = [];
  const adaptiveTimes: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = time(full, CALLS);
    const b = time(adaptive, CALLS);
    fullTimes.push(a);
    adaptiveTimes.push(b);
    ratios.push(a / b);
  }
  const tokensPerSecond = (t: number[]): number => Math.round((rows * CALLS) / median(t));
  return {
    pass: name,
    rows,
    'full tok/s': tokensPerSecond(fullTimes),
    'adaptive tok/s': tokensPerSecond(adaptiveTimes),
    'speed-up (median)': Math.round(median(ratios) * 100) / 100,
    'spread (min–max)': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
  };
}

const run: BenchFunction = async () => {
  const mark = allocationMark();
  const { targets: all, vocabSize: V } = brownTargets(1120 * 8);
  const cutoffs = defaultCutoffs(V, { inputSize: INPUT });
  const random = new Random(1);
  const adaptive = AdaptiveSoftmax.create({ vocabSize: V, inputSize: INPUT, cutoffs, dtype: 'float32' });
  adaptive.initialize(random);
  const W = createParameter('weight', [V, INPUT], 'float32');
  const b = createParameter('bias', [V], 'float32');
  random.uniform(W.data, -1 / Math.sqrt(INPUT), 1 / Math.sqrt(INPUT));
  const rowsTable: Record<string, string | number>[] = [];
  for (const rows of [128, 1120]) {
    const x = allocate('float32', rows * INPUT);
    random.uniform(x, -1, 1);
    const dx = allocate('float32', rows * INPUT);
    const logits = allocate('float32', rows * V);
    const out = new Float64Array(rows);
    let offset = 0;
    // Each call takes the next `rows` Brown targets, so the clusters' shares vary as in training.
    const nextTargets = (): Int32Array => {
      if (offset + rows > all.length) offset = 0;
      const t = all.subarray(offset, offset + rows);
      offset += rows;
      return t;
    };
    const fullStep = (): void => {
      const t = nextTargets();
      matmulTransB(x, W.data, logits, rows, INPUT, V);
      addBias(logits, b.data, rows, V);
      softmaxCrossEntropy(logits, t, logits, rows, V, 1 / rows);
      matmulTransA(logits, x, W.grad, V, rows, INPUT, true);
      biasGradient(logits, b.grad, rows, V);
      matmul(logits, W.data, dx, rows, V, INPUT);
    };
    const adaptiveStep = (): void => {
      adaptive.forwardBackward(x, nextTargets(), rows, 1 / rows, dx);
    };
    const fullScore = (): void => {
      matmulTransB(x, W.data, logits, rows, INPUT, V);
      addBias(logits, b.data, rows, V);
      logSoftmaxAt(logits, nextTargets(), out, rows, V);
    };
    const adaptiveScore = (): void => {
      adaptive.logProbAt(x, nextTargets(), rows, out);
    };
    rowsTable.push(compare('training (forward + backward)', rows, fullStep, adaptiveStep));
    rowsTable.push(compare('scoring (ln P of the target)', rows, fullScore, adaptiveScore));
    zeroGradients([W, b, ...adaptive.parameters]);
  }
  const parameters = adaptive.parameters.reduce((n, p) => n + p.data.length, 0);
  adaptive.dispose();
  releaseSince(mark);
  const table: BenchTable = {
    title: `Output layer: adaptive softmax (cut-offs [${cutoffs.join(', ')}]) against the full softmax, |V| = ${V}, input ${INPUT}, float32`,
    rows: rowsTable,
    notes: [
      `Targets: consecutive Brown training tokens (words and </s>). ${ROUNDS} interleaved rounds of ${CALLS} calls per layer; tok/s from the median round, speed-up = full time / adaptive time per round.`,
      `Parameters: adaptive ${parameters.toLocaleString('en')} against full ${(V * INPUT + V).toLocaleString('en')} (the optimiser's update shrinks in proportion).`,
    ],
  };
  return [table];
};

export default run;
