/**
 * perplexity-bench's public API (`import { … } from 'perplexity-bench'`), documented in docs/api.md: what a
 * plug-in author or a user's own script needs. Anything not exported here is internal and may change in any
 * release; what is exported follows semantic versioning (CHANGELOG.md).
 */

// The plug-in contract.
export { definePlugin, parseHyperParameters } from './models/plugin.ts';
export type {
  Budget,
  ConformanceCase,
  EpochRecord,
  LanguageModel,
  ModelFamily,
  ModelPlugin,
  PluginDefinition,
  ProgressEvent,
  Protocol,
  Scorer,
  TrainingData,
  TrainOptions,
  TrainReport,
} from './models/types.ts';
export { UserError } from './errors/user-error.ts';

// Corpora and vocabularies.
export { BOS, BOS_ID, EOS, EOS_ID, UNK, UNK_ID, Vocabulary } from './corpora/vocabulary.ts';
export { encodeCorpus, type Corpus, type EncodedCorpus, type EncodedSplit, type TokenLevel } from './corpora/corpus.ts';
export { loadCorpus, type CorpusOptions } from './corpora/load.ts';

// The one evaluation protocol.
export { evaluate, type EvaluateOptions, type Metrics } from './harness/metrics.ts';

// How sure a perplexity is, and which differences are real (issue 13): the statistics the harness uses.
export {
  bootstrapPerplexity,
  bootstrapSplit,
  DEFAULT_RESAMPLES,
  sentenceLengths,
  type BootstrapOptions,
  type PerplexityInterval,
} from './harness/statistics/bootstrap.ts';
export { pairedBootstrap, type Interval, type PairedComparison, type PairedOptions } from './harness/statistics/paired.ts';
export { tallyTokens, type BucketTally, type Tally } from './harness/statistics/tally.ts';
export { fitMixture, mixLogProbs, type Mixture, type MixtureOptions } from './harness/statistics/mixture.ts';

// Checkpoints.
export { loadCheckpoint, saveCheckpoint, type CheckpointData, type JsonValue, type StoredArray } from './models/checkpoint.ts';

// The shared numerics: tensors, layers, optimisers, schedules.
export { allocate, release, zeros, type DType, type FloatArray, type Tensor } from './numerics/tensor.ts';
export { countParameters, createParameter, createRowSparseParameter, zeroGradients, type Parameter } from './numerics/parameter.ts';
export { TouchedRows } from './numerics/touched-rows.ts';
export { RNN } from './numerics/recurrent/rnn.ts';
export { LSTM } from './numerics/recurrent/lstm.ts';
export { GRU } from './numerics/recurrent/gru.ts';
export type { ParameterSource, RecurrentOptions, RNNOptions } from './numerics/recurrent/options.ts';
export type { RecurrentGradients, RecurrentResult } from './numerics/recurrent/recurrent.ts';
export { Adam, type AdamOptions } from './numerics/adam.ts';
export { SparseAdam } from './numerics/sparse-adam.ts';
export { SGD, type SGDOptions } from './numerics/sgd.ts';
export type { Optimizer } from './numerics/optimizer.ts';
export { ConstantLR, ReduceLROnPlateau, type LearningRateSchedule, type PlateauOptions } from './numerics/lr-schedule.ts';
export { clipGradNorm, gradientNorm } from './numerics/clip-grad-norm.ts';
export { Random } from './numerics/random.ts';

// PyTorch's random numbers (issue 16): its CPU generator, torch.manual_seed, rand/randn, and the layers that
// initialise from it as torch.nn does.
export { TORCH_DEFAULT_SEED, TorchGenerator, type TorchGeneratorState } from './numerics/torch/generator.ts';
export { defaultGenerator, initialSeed, manualSeed } from './numerics/torch/default-generator.ts';
export { rand, randn, type RandomTensorOptions } from './numerics/torch/random-tensors.ts';
export { normalFill, uniformFill } from './numerics/torch/distributions.ts';
export { Linear, type LinearOptions } from './numerics/linear.ts';
export { Embedding, type EmbeddingOptions } from './numerics/embedding-layer.ts';

// The kernels a neural plug-in builds its layers from (float32 on the WebAssembly SIMD kernels, float64 in JavaScript).
export { matmul, matmulTransA, matmulTransB, type MatrixProduct } from './numerics/matmul.ts';
export { countTargets, IGNORE_INDEX, softmaxCrossEntropy } from './numerics/cross-entropy.ts';
export { logSoftmaxAt } from './numerics/softmax.ts';
export { embeddingBackward, embeddingForward } from './numerics/embedding.ts';
export { addBias, biasGradient } from './numerics/bias.ts';
export { initEmbedding, initUniformFanIn } from './numerics/init.ts';
export { kernelThreads, setKernelThreads } from './numerics/kernels/threads.ts';
export { kernelVariant } from './numerics/kernels/variant.ts';
export { kernelFusedMultiplyAdd } from './numerics/kernels/gemm.ts';
export type { KernelVariant } from './numerics/kernels/variant-wat.ts';

// Output layers (issue 14): the interface, and the adaptive softmax (Grave et al. 2017, as torch's nn.AdaptiveLogSoftmaxWithLoss).
export type { OutputLayer } from './numerics/output/output-layer.ts';
export { ClassSoftmax, type ClassSoftmaxShape } from './numerics/output/class-softmax.ts';
export { FullSoftmax, type FullSoftmaxShape } from './numerics/output/full-softmax.ts';
export {
  classesFromOrder,
  defaultClassCount,
  frequencyClasses,
  targetCounts,
  type ClassBinning,
  type WordClasses,
} from './numerics/output/word-classes.ts';
export { createOutputLayer, outputOptions, type OutputLayerShape, type OutputOptions } from './numerics/output/options.ts';
export { AdaptiveSoftmax, type AdaptiveSoftmaxDescription, type AdaptiveSoftmaxOptions } from './numerics/output/adaptive-softmax.ts';
export { adaptiveShape, defaultCutoffs, type AdaptiveShape, type AdaptiveShapeOptions } from './numerics/output/adaptive-shape.ts';

// The one neural training loop and its options (issue 12 §3): a plug-in supplies its parameters, batches and step.
export { fit, makeOptimizer, type FitOptions, type FitSession, type StepResult } from './numerics/training/fit.ts';
export {
  RECURRENT_TRAINING,
  resolveLearningRate,
  trainingOptions,
  WINDOW_TRAINING,
  type PlateauRule,
  type TrainingDefaults,
  type TrainingOptions,
} from './numerics/training/options.ts';
export type { RenamedOptions } from './models/types.ts';

// External plug-ins (issue 12 §2): zod for their schemas (the same copy the harness validates with), the
// registry and loader, and the conformance kit for a plug-in author's own tests.
export { z } from 'zod';
export type { ContextLength } from './models/types.ts';
export { BUILT_IN_PLUGINS, PluginRegistry, type LoadedPlugin } from './models/registry.ts';
export { loadPlugins } from './harness/plugin-loader.ts';
export {
  assertConformance,
  conformance,
  conformanceChecks,
  conformanceCorpus,
  formatResult,
  PROPERTIES,
  type ConformanceCheck,
  type ConformanceOptions,
  type ConformanceResult,
  type Property,
  type PropertyOutcome,
} from './harness/conformance/index.ts';
