import { Adam } from '../../numerics/adam.ts';
import { clipGradNorm, gradientNorm } from '../../numerics/clip-grad-norm.ts';
import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { DivergenceWatch } from '../../numerics/divergence.ts';
import { zeroEmbeddingRows } from '../../numerics/embedding.ts';
import { ConstantLR, ReduceLROnPlateau, type LearningRateSchedule } from '../../numerics/lr-schedule.ts';
import type { Optimizer } from '../../numerics/optimizer.ts';
import { Random } from '../../numerics/random.ts';
import { SGD } from '../../numerics/sgd.ts';
import { zerosLike } from '../../numerics/parameter.ts';
import type { EpochRecord, TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { gatherBatch, windowExamples } from './examples.ts';
import { backward, forward, WindowWorkspace, type WindowNetwork } from './network.ts';
import type { WindowHyperParameters } from './options.ts';
import { WindowScorer } from './scorer.ts';

export type ResolvedWindowHyperParameters = WindowHyperParameters & { lr: number };

export function makeOptimizer(net: WindowNetwork, hp: ResolvedWindowHyperParameters): Optimizer {
  const parameters = net.parameters();
  return hp.optimizer === 'adam'
    ? new Adam(parameters, { lr: hp.lr, weightDecay: hp.weightDecay })
    : new SGD(parameters, { lr: hp.lr, momentum: hp.momentum, weightDecay: hp.weightDecay });
}

/** The clipping norm suggested when a run without clipping diverges (on the global norm of the batch's mean gradient). */
const SUGGESTED_CLIP = 1;

/**
 * One optimisation step on the batch in `ws` (contexts and targets filled): forward, mean cross-entropy
 * with its gradient written over the logits, backward, clipping, update. Returns the summed loss (nats).
 * With a watch, a non-finite loss or gradient norm throws before the update.
 */
export function trainStep(
  ws: WindowWorkspace,
  rows: number,
  optimizer: Optimizer,
  hp: Pick<WindowHyperParameters, 'dropout' | 'clip'>,
  random: Random | null,
  watch?: DivergenceWatch,
): number {
  const net = ws.net;
  forward(ws, rows, hp.dropout, random);
  const loss = softmaxCrossEntropy(ws.y, ws.targets, ws.y, rows, net.vocabSize, 1 / rows);
  watch?.loss(loss);
  backward(ws, rows);
  if (hp.clip > 0) {
    const norm = clipGradNorm(optimizer.parameters, hp.clip);
    watch?.gradients(norm);
  } else if (watch) {
    watch.gradients(gradientNorm(optimizer.parameters));
  }
  optimizer.step();
  // Only the rows of this batch's context words hold a gradient of C; clear just those.
  zeroEmbeddingRows(net.C.grad, ws.contexts, rows * (net.n - 1), net.m);
  return loss;
}

/** Report progress about this often. */
const PROGRESS_MS = 250;

/**
 * Mini-batch training over the shuffled training windows. After each epoch the valid perplexity (by the
 * shared protocol, through `options.validate`) drives the learning-rate schedule and early stopping; the
 * network ends with the parameters of the best epoch.
 */
export async function trainWindow(net: WindowNetwork, hp: ResolvedWindowHyperParameters, data: TrainingData, options: TrainOptions): Promise<TrainReport> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const random = new Random(options.seed);
  net.initialize(random);
  const examples = windowExamples(data.train, net.n, data.mode);
  const total = examples.positions.length;
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const optimizer = makeOptimizer(net, hp);
  const learningRate = { key: 'lr', flag: '--lr', value: hp.lr };
  const watch = new DivergenceWatch({ learningRate, clip: hp.clip, suggestedClip: SUGGESTED_CLIP }, net.vocabSize);
  const schedule: LearningRateSchedule = hp.lrDecay < 1 ? new ReduceLROnPlateau(optimizer, { factor: hp.lrDecay, patience: hp.lrPatience }) : new ConstantLR();
  const ws = new WindowWorkspace(net, Math.min(hp.batchSize, total), hp.dropout > 0);
  const budget = options.budget ?? {};
  const maxEpochs = Math.min(hp.epochs, budget.epochs ?? Infinity);
  const parameters = net.parameters();
  const best = parameters.map((p) => zerosLike(p.data));
  let bestPerplexity = Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  const epochs: EpochRecord[] = [];
  let tokensSeen = 0;
  let stoppedBy: TrainReport['stoppedBy'] = budget.epochs !== undefined && budget.epochs <= hp.epochs ? 'epochs' : 'done';

  /** One pass over the shuffled windows, cut short by a token or time budget. */
  const runEpoch = (epoch: number): { loss: number; tokens: number; stop: 'tokens' | 'seconds' | null } => {
    random.shuffle(order);
    watch.startEpoch(epoch);
    let loss = 0;
    let tokens = 0;
    const epochStart = performance.now();
    let lastProgress = epochStart;
    let stop: 'tokens' | 'seconds' | null = null;
    for (let from = 0; from < total && stop === null; ) {
      let rows = Math.min(ws.capacity, total - from);
      if (budget.tokens !== undefined) rows = Math.min(rows, budget.tokens - tokensSeen);
      gatherBatch(examples, order, from, rows, net.n, ws.contexts, ws.targets);
      loss += trainStep(ws, rows, optimizer, hp, random, watch);
      from += rows;
      tokens += rows;
      tokensSeen += rows;
      if (budget.tokens !== undefined && tokensSeen >= budget.tokens) stop = 'tokens';
      else if (budget.seconds !== undefined && elapsed() >= budget.seconds) stop = 'seconds';
      const now = performance.now();
      if (options.onProgress && (now - lastProgress >= PROGRESS_MS || stop !== null || from >= total)) {
        lastProgress = now;
        const tokensPerSecond = (tokens * 1000) / Math.max(now - epochStart, 1e-3);
        options.onProgress({ phase: `epoch ${epoch}`, done: from, total, unit: 'tokens', tokensPerSecond, loss: loss / tokens });
      }
    }
    return { loss, tokens, stop };
  };

  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const run = runEpoch(epoch);
      if (run.tokens > 0) watch.epochLoss(run.loss / run.tokens);
      watch.parameters(parameters);
      const validPerplexity = options.validate(new WindowScorer(net));
      watch.validPerplexity(validPerplexity);
      epochs.push({ epoch, tokensSeen, seconds: elapsed(), trainLoss: run.loss / run.tokens, validPerplexity, learningRate: optimizer.lr });
      if (validPerplexity < bestPerplexity) {
        bestPerplexity = validPerplexity;
        bestEpoch = epoch;
        sinceBest = 0;
        parameters.forEach((p, i) => {
          best[i]!.set(p.data);
        });
      } else {
        sinceBest++;
      }
      if (run.stop !== null) {
        stoppedBy = run.stop;
        break;
      }
      schedule.step(validPerplexity);
      if (hp.earlyStopping > 0 && sinceBest >= hp.earlyStopping) {
        stoppedBy = 'early-stopping';
        break;
      }
      // Let timers (a progress bar's redraw) run between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    ws.dispose();
    optimizer.dispose();
  }
  if (bestEpoch > 0 && bestEpoch !== epochs.length)
    parameters.forEach((p, i) => {
      p.data.set(best[i]!);
    });
  return {
    tokensTrained: tokensSeen,
    seconds: elapsed(),
    epochs,
    ...(bestEpoch > 0 ? { bestEpoch } : {}),
    stoppedBy,
  };
}
