import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { EOS_ID } from '../../corpora/vocabulary.ts';
import { ClassSoftmax } from '../../numerics/output/class-softmax.ts';
import { classesForTraining } from '../../numerics/output/options.ts';
import { zeroGradients } from '../../numerics/parameter.ts';
import { Random } from '../../numerics/random.ts';
import { fit, type FitSession } from '../../numerics/training/fit.ts';
import { WINDOW_TRAINING } from '../../numerics/training/options.ts';
import type { TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { gatherBatch, windowExamples } from './examples.ts';
import { backward, backwardFromZ, forward, WindowWorkspace, type WindowNetwork } from './network.ts';
import type { ResolvedWindowHyperParameters } from './options.ts';
import { WindowScorer } from './scorer.ts';

/**
 * Forward, mean cross-entropy with its gradient written over the logits, and backward on the batch in `ws`
 * (contexts and targets filled). Returns the summed loss (nats).
 */
export function windowStep(ws: WindowWorkspace, rows: number, dropout: number, random: Random | null): number {
  forward(ws, rows, dropout, random);
  const classes = ws.net.outputLayer;
  if (classes) {
    // The class output accumulates into its gradients: they start each step from zero, as O's are overwritten.
    zeroGradients(classes.parameters);
    const loss = classes.forwardBackward(ws.Z, ws.targets, rows, 1 / rows, ws.dZ);
    backwardFromZ(ws, rows);
    return loss;
  }
  const loss = softmaxCrossEntropy(ws.y, ws.targets, ws.y, rows, ws.net.vocabSize, 1 / rows);
  backward(ws, rows);
  return loss;
}

/** Only the rows of this batch's context words hold a gradient of C (its touched rows); clear just those (after the update). */
export function clearEmbeddingGradients(ws: WindowWorkspace): void {
  zeroGradients([ws.net.C]);
}

/**
 * The window model's part of `fit`: the parameters initialised from the seed, then each epoch the training
 * windows in a fresh shuffle (one stream of draws for initialisation, shuffling and dropout), in batches of
 * `batchSize` positions, the last cut to a token budget.
 */
function windowSession(net: WindowNetwork, hp: ResolvedWindowHyperParameters, data: TrainingData, seed: number): FitSession<number> {
  const random = new Random(seed);
  // A class output's classes come from the training targets' counts (the words, and </s> once per sentence).
  if (net.outputLayer instanceof ClassSoftmax)
    net.outputLayer.setClasses(classesForTraining(hp, net.vocabSize, data.train.tokens, EOS_ID, data.train.starts.length - 1));
  net.initialize(random);
  const examples = windowExamples(data.train, net.n, data.mode);
  const total = examples.positions.length;
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const ws = new WindowWorkspace(net, Math.min(hp.batchSize, total), hp.dropout > 0);
  return {
    parameters: net.parameters(),
    vocabSize: net.vocabSize,
    stepsPerEpoch: Math.ceil(total / ws.capacity),
    epochTokens: total,
    *batches(_epoch, tokensLeft) {
      random.shuffle(order);
      for (let from = 0; from < total; ) {
        const rows = Math.min(ws.capacity, total - from, tokensLeft());
        gatherBatch(examples, order, from, rows, net.n, ws.contexts, ws.targets);
        from += rows;
        yield rows;
      }
    },
    step: (rows) => ({ loss: windowStep(ws, rows, hp.dropout, random), tokens: rows }),
    afterUpdate: () => clearEmbeddingGradients(ws),
    scorer: () => new WindowScorer(net),
    dispose: () => ws.dispose(),
  };
}

/** Mini-batch training of the window model through the shared loop, with the Bengio 2003 defaults. */
export function trainWindow(net: WindowNetwork, hp: ResolvedWindowHyperParameters, data: TrainingData, options: TrainOptions): Promise<TrainReport> {
  return fit((seed) => windowSession(net, hp, data, seed), hp, WINDOW_TRAINING, options);
}
