import { UserError } from '../../errors/user-error.ts';
import type { Vocabulary } from '../../corpora/vocabulary.ts';
import type { CheckpointData, StoredArray } from '../checkpoint.ts';
import { outputLayerState, restoreOutputLayerState } from '../../numerics/output/options.ts';
import { countParameters } from '../../numerics/parameter.ts';
import type { LanguageModel, Scorer, TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { WindowNetwork } from './network.ts';
import { resolveLearningRate, WINDOW_TRAINING } from '../../numerics/training/options.ts';
import type { ResolvedWindowHyperParameters, WindowHyperParameters } from './options.ts';
import { releaseScoringWorkspace, WindowScorer } from './scorer.ts';
import { trainWindow } from './training.ts';

/** The fixed-window feed-forward language model of Bengio et al. (2003) as a plug-in model. */
export class WindowModel implements LanguageModel {
  readonly plugin = 'window';
  readonly hyperParameters: ResolvedWindowHyperParameters;
  readonly net: WindowNetwork;

  constructor(
    hp: WindowHyperParameters,
    readonly vocab: Vocabulary,
  ) {
    this.hyperParameters = resolveLearningRate(hp, WINDOW_TRAINING);
    this.net = new WindowNetwork({ vocabSize: vocab.size, n: hp.n, m: hp.m, h: hp.h, direct: hp.direct, dtype: hp.dtype, output: hp });
  }

  train(data: TrainingData, options: TrainOptions): Promise<TrainReport> {
    return trainWindow(this.net, this.hyperParameters, data, options);
  }

  scorer(): Scorer {
    return new WindowScorer(this.net);
  }

  parameterCount(): number {
    return countParameters(this.net.parameters());
  }

  /** Values and gradients (the optimiser's state lives only while training). */
  byteSize(): number {
    let bytes = 0;
    for (const p of this.net.parameters()) bytes += p.data.byteLength;
    return bytes;
  }

  /** Give the parameters' kernel memory back (for processes that build many models); the model is unusable after. */
  dispose(): void {
    releaseScoringWorkspace(this.net);
    this.net.dispose();
  }

  toCheckpoint(): CheckpointData {
    const arrays: Record<string, StoredArray> = {};
    for (const p of this.net.parameters()) arrays[p.name] = p.data;
    if (this.net.outputLayer) Object.assign(arrays, outputLayerState(this.net.outputLayer, 'output'));
    return { plugin: this.plugin, hyperParameters: this.hyperParameters, vocabulary: this.vocab.words, meta: null, arrays };
  }

  static fromCheckpoint(data: CheckpointData, hp: WindowHyperParameters, vocab: Vocabulary): WindowModel {
    const model = new WindowModel(hp, vocab);
    const Expected = hp.dtype === 'float32' ? Float32Array : Float64Array;
    for (const p of model.net.parameters()) {
      const a = data.arrays[p.name];
      if (!(a instanceof Expected) || a.length !== p.data.length) {
        throw new UserError(`window checkpoint: parameter ${p.name} is missing or is not ${hp.dtype}[${p.shape.join('×')}]`);
      }
      p.data.set(a);
    }
    if (model.net.outputLayer) restoreOutputLayerState(model.net.outputLayer, 'output', data.arrays, 'window');
    return model;
  }
}
