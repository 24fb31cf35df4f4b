import { UserError } from '../../errors/user-error.ts';
import type { Vocabulary } from '../../corpora/vocabulary.ts';
import type { CheckpointData, StoredArray } from '../checkpoint.ts';
import { countParameters } from '../../numerics/parameter.ts';
import type { LanguageModel, Scorer, TrainingData, TrainOptions, TrainReport } from '../types.ts';
import { RecurrentNetwork } from './network.ts';
import { outputLayerState, restoreOutputLayerState } from '../../numerics/output/options.ts';
import { RECURRENT_TRAINING, resolveLearningRate } from '../../numerics/training/options.ts';
import type { Cell, RecurrentLMOptions, ResolvedRecurrentOptions } from './options.ts';
import { RecurrentScorer } from './scorer.ts';
import { trainNetwork } from './trainer.ts';

/** The plug-ins `rnn`, `lstm` and `gru`: one recurrent language model, three cells. */
export class RecurrentLanguageModel implements LanguageModel {
  private readonly net: RecurrentNetwork;

  readonly hyperParameters: ResolvedRecurrentOptions;

  constructor(
    readonly plugin: Cell,
    hyperParameters: RecurrentLMOptions,
    readonly vocab: Vocabulary,
  ) {
    const hp = resolveLearningRate(hyperParameters, RECURRENT_TRAINING);
    this.hyperParameters = hp;
    this.net = new RecurrentNetwork({
      cell: this.plugin,
      nonlinearity: hp.nonlinearity ?? 'tanh',
      vocabSize: vocab.size,
      embeddingSize: hp.embeddingSize,
      hiddenSize: hp.hiddenSize,
      numLayers: hp.numLayers,
      dropout: hp.dropout,
      tie: hp.tie,
      oneHot: hp.oneHot,
      output: hp,
      seed: 0,
      dtype: hp.dtype,
    });
  }

  train(data: TrainingData, options: TrainOptions): Promise<TrainReport> {
    return trainNetwork(this.net, this.hyperParameters, data, options);
  }

  scorer(): Scorer {
    return new RecurrentScorer(this.net);
  }

  parameterCount(): number {
    return countParameters(this.net.parameters);
  }

  byteSize(): number {
    let n = 0;
    for (const p of this.net.parameters) n += p.data.byteLength;
    return n;
  }

  /** Give back the parameters' memory (kernel memory is reused only when released). */
  dispose(): void {
    this.net.dispose();
  }

  toCheckpoint(): CheckpointData {
    const arrays: Record<string, StoredArray> = {};
    for (const p of this.net.parameters) arrays[p.name] = p.data.slice();
    Object.assign(arrays, outputLayerState(this.net.output, 'decoder'));
    return { plugin: this.plugin, hyperParameters: this.hyperParameters, vocabulary: this.vocab.words, meta: null, arrays };
  }

  /** Rebuild from a checkpoint: every parameter must be there with its exact size. */
  static fromCheckpoint(plugin: Cell, data: CheckpointData, hp: RecurrentLMOptions, vocab: Vocabulary): RecurrentLanguageModel {
    const model = new RecurrentLanguageModel(plugin, hp, vocab);
    const Expected = hp.dtype === 'float32' ? Float32Array : Float64Array;
    for (const p of model.net.parameters) {
      const a = data.arrays[p.name];
      if (!(a instanceof Expected) || a.length !== p.data.length) {
        throw new UserError(`${plugin} checkpoint: parameter ${p.name} is missing or has the wrong size (expected ${p.data.length} ${hp.dtype} values)`);
      }
      p.data.set(a);
    }
    restoreOutputLayerState(model.net.output, 'decoder', data.arrays, plugin);
    return model;
  }
}
