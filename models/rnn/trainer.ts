import { EOS_ID } from '../../corpora/vocabulary.ts';
import { ClassSoftmax } from '../../numerics/output/class-softmax.ts';
import { classesForTraining } from '../../numerics/output/options.ts';
import { zeroGradients } from '../../numerics/parameter.ts';
import { fit, type FitSession } from '../../numerics/training/fit.ts';
import { RECURRENT_TRAINING } from '../../numerics/training/options.ts';
import type { TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { sentenceSegments, streamSegments, type Segment } from './batches.ts';
import { TrainingPass, type RecurrentNetwork } from './network.ts';
import type { ResolvedRecurrentOptions } from './options.ts';
import { RecurrentScorer } from './scorer.ts';

/**
 * The recurrent models' part of `fit`: truncated BPTT (Williams & Peng 1990) over segments of `bptt` steps.
 * Stream mode cuts the training stream into `batchSize` parallel streams once; sentence mode batches the
 * sentences in a fresh shuffle each epoch (the network's own random stream, after its initialisation).
 */
function recurrentSession(net: RecurrentNetwork, hp: ResolvedRecurrentOptions, data: TrainingData, seed: number): FitSession<Segment> {
  // A class output's classes come from the training targets' counts (the words, and </s> once per sentence).
  if (net.output instanceof ClassSoftmax) {
    const sentences = data.train.starts.length - 1;
    net.output.setClasses(classesForTraining(hp, net.shape.vocabSize, data.train.tokens, EOS_ID, sentences));
  }
  // Same seed → same initial parameters, dropout masks and batch order → identical model.
  net.initialize(seed);
  const shuffle = (a: Int32Array): void => net.random.shuffle(a);
  const segmentsOf = (): Segment[] =>
    data.mode === 'stream' ? streamSegments(data.train, hp.batchSize, hp.bptt) : sentenceSegments(data.train, hp.batchSize, hp.bptt, shuffle);
  let segments = segmentsOf();
  const pass = new TrainingPass(net, Math.max(...segments.map((s) => s.batch)), hp.bptt);
  const params = net.parameters;
  return {
    parameters: params,
    vocabSize: net.shape.vocabSize,
    stepsPerEpoch: segments.length,
    epochTokens: segments.reduce((n, s) => n + s.tokens, 0),
    batches(epoch) {
      if (epoch > 1 && data.mode === 'sentence') segments = segmentsOf();
      return segments;
    },
    step(segment) {
      zeroGradients(params);
      return { loss: pass.step(segment), tokens: segment.tokens };
    },
    scorer: () => new RecurrentScorer(net),
    setMode: (mode) => (mode === 'train' ? net.layer.train() : net.layer.eval()),
    dispose: () => pass.dispose(),
  };
}

/** Train a recurrent network through the shared loop, with the defaults of torch's word_language_model. */
export function trainNetwork(net: RecurrentNetwork, hp: ResolvedRecurrentOptions, data: TrainingData, options: TrainOptions): Promise<TrainReport> {
  return fit((seed) => recurrentSession(net, hp, data, seed), hp, RECURRENT_TRAINING, options);
}
