import { Adam } from '../../numerics/adam.ts';
import { clipGradNorm, gradientNorm } from '../../numerics/clip-grad-norm.ts';
import { DivergenceWatch } from '../../numerics/divergence.ts';
import { ReduceLROnPlateau } from '../../numerics/lr-schedule.ts';
import type { Optimizer } from '../../numerics/optimizer.ts';
import { zeroGradients } from '../../numerics/parameter.ts';
import { SGD } from '../../numerics/sgd.ts';
import type { EpochRecord, TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { sentenceSegments, streamSegments, type Segment } from './batches.ts';
import { TrainingPass, type RecurrentNetwork } from './network.ts';
import type { RecurrentLMOptions } from './options.ts';
import { RecurrentScorer } from './scorer.ts';

/**
 * A relative drop of the valid perplexity smaller than this (0.1%, about 0.001 nats of cross-entropy)
 * counts as no improvement, for early stopping and for the learning-rate schedule alike; the best
 * parameters are still kept.
 */
const IMPROVEMENT = 1e-3;

/**
 * The schedule and early stopping look at the valid perplexity every k epochs, with k the smallest number
 * of epochs that holds this many training steps: on Brown every epoch, on a toy corpus of one or two steps
 * per epoch every 25 or so, so that a slow start on a tiny corpus is not mistaken for a plateau.
 */
const STEPS_BETWEEN_CHECKS = 25;

/** The clipping norm suggested when a run without clipping diverges (the default, as in torch's word-language model). */
const SUGGESTED_CLIP = 0.25;

/** How often (at most) progress is reported. */
const PROGRESS_SECONDS = 0.25;

/**
 * Truncated BPTT (Williams & Peng 1990) over the epochs: segments of `bptt` steps, gradient clipping by
 * global norm, Adam or SGD, the valid perplexity after every epoch, the learning rate multiplied by
 * `lrDecay` whenever it has not improved since the last check, early stopping after `patience` such
 * checks, and the best epoch's parameters kept.
 */
export function trainNetwork(net: RecurrentNetwork, hp: RecurrentLMOptions, data: TrainingData, options: TrainOptions): TrainReport {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const budget = options.budget ?? {};
  const maxEpochs = budget.epochs ?? hp.maxEpochs;
  const params = net.parameters;
  const optimizer: Optimizer = hp.optimizer === 'adam' ? new Adam(params, { lr: hp.learningRate }) : new SGD(params, { lr: hp.learningRate });
  const learningRate = { key: 'learningRate', flag: '--learning-rate', value: hp.learningRate };
  const watch = new DivergenceWatch({ learningRate, clip: hp.clip, suggestedClip: SUGGESTED_CLIP }, net.shape.vocabSize);
  const plateau = new ReduceLROnPlateau(optimizer, { factor: hp.lrDecay, patience: 0, threshold: IMPROVEMENT });
  const shuffle = (a: Int32Array): void => net.random.shuffle(a);
  const segmentsOf = (): Segment[] =>
    data.mode === 'stream' ? streamSegments(data.train, hp.batchSize, hp.bptt) : sentenceSegments(data.train, hp.batchSize, hp.bptt, shuffle);

  let segments = segmentsOf();
  const pass = new TrainingPass(net, Math.max(...segments.map((s) => s.batch)), hp.bptt);
  const epochTokens = segments.reduce((n, s) => n + s.tokens, 0);
  // Copies outside kernel memory (slice makes an unshared copy of the same type).
  const best = params.map((p) => p.data.slice());
  let bestPerplexity = Infinity;
  let bestEpoch: number | undefined;
  const checkEvery = Math.max(1, Math.ceil(STEPS_BETWEEN_CHECKS / segments.length));
  let bestAtLastCheck = Infinity;
  let badChecks = 0;
  let tokensSeen = 0;
  let stoppedBy: TrainReport['stoppedBy'] = 'epochs';
  const epochs: EpochRecord[] = [];
  let lastProgress = 0;

  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      if (epoch > 1 && data.mode === 'sentence') segments = segmentsOf();
      net.layer.train();
      watch.startEpoch(epoch);
      let lossSum = 0;
      let epochDone = 0;
      const epochStart = elapsed();
      let stopNow = false;
      for (const segment of segments) {
        zeroGradients(params);
        const loss = pass.step(segment);
        watch.loss(loss);
        lossSum += loss;
        // The norm clipping computes anyway; without clipping, one SIMD pass over the gradients.
        watch.gradients(hp.clip > 0 ? clipGradNorm(params, hp.clip) : gradientNorm(params));
        optimizer.step();
        epochDone += segment.tokens;
        tokensSeen += segment.tokens;
        const now = elapsed();
        if (options.onProgress && now - lastProgress >= PROGRESS_SECONDS) {
          lastProgress = now;
          options.onProgress({
            phase: `epoch ${epoch}`,
            done: epochDone,
            total: epochTokens,
            unit: 'tokens',
            tokensPerSecond: epochDone / Math.max(now - epochStart, 1e-9),
            loss: lossSum / epochDone,
          });
        }
        if (budget.tokens !== undefined && tokensSeen >= budget.tokens) {
          stoppedBy = 'tokens';
          stopNow = true;
        } else if (budget.seconds !== undefined && now >= budget.seconds) {
          stoppedBy = 'seconds';
          stopNow = true;
        }
        if (stopNow) break;
      }
      net.layer.eval();
      watch.epochLoss(lossSum / Math.max(epochDone, 1));
      watch.parameters(params);
      options.onProgress?.({ phase: `validating epoch ${epoch}`, done: 0, unit: 'tokens' });
      const validPerplexity = options.validate(new RecurrentScorer(net));
      watch.validPerplexity(validPerplexity);
      epochs.push({
        epoch,
        tokensSeen,
        seconds: elapsed(),
        trainLoss: lossSum / Math.max(epochDone, 1),
        validPerplexity,
        learningRate: optimizer.lr,
      });
      if (validPerplexity < bestPerplexity) {
        bestPerplexity = validPerplexity;
        bestEpoch = epoch;
        params.forEach((p, i) => {
          best[i]!.set(p.data);
        });
      }
      if (stopNow) break;
      if (epoch % checkEvery === 0) {
        // Improvements are measured from the last significant one, so slow progress still adds up.
        if (bestPerplexity < bestAtLastCheck * (1 - IMPROVEMENT)) {
          bestAtLastCheck = bestPerplexity;
          badChecks = 0;
        } else {
          badChecks++;
        }
        if (badChecks >= hp.patience) {
          stoppedBy = 'early-stopping';
          break;
        }
        plateau.step(bestPerplexity);
      }
    }
  } finally {
    pass.dispose();
    optimizer.dispose();
  }
  if (bestEpoch !== undefined)
    params.forEach((p, i) => {
      p.data.set(best[i]!);
    });
  net.layer.eval();
  return {
    tokensTrained: tokensSeen,
    seconds: elapsed(),
    epochs,
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    stoppedBy,
  };
}
