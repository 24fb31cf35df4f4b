import { z } from 'zod';

/**
 * The training options every neural plug-in shares, with one name and one meaning each. A plug-in spreads
 * `trainingOptions(defaults)` into its own schema; the defaults may differ only where the setup a plug-in
 * follows differs (see `WINDOW_TRAINING` and `RECURRENT_TRAINING`, and the table in the README).
 */
export interface TrainingDefaults {
  /** Where these defaults come from, for the help text and the README's table. */
  readonly source: string;
  /** The initial learning rate of each optimiser when `learningRate` is not given. */
  readonly learningRate: { readonly adam: number; readonly sgd: number };
  readonly batchSize: number;
  readonly batchSizeMeaning: string;
  readonly maxBatchSize: number;
  readonly clip: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly lrDecay: number;
  readonly lrPatience: number;
  /** When the valid perplexity counts as improved, and how often it is looked at (see `fit`). */
  readonly plateau: PlateauRule;
  /** The clipping norm a divergence message suggests when clipping is off. */
  readonly suggestedClip: number;
}

/**
 * The epoch-end rule of `fit`. The valid perplexity is checked every k epochs, k the fewest epochs that hold
 * `stepsBetweenChecks` steps (0: every epoch); at a check, the best perplexity so far has improved when it
 * is below the best at the last improving check × (1 − `improvement`). `patience` checks without
 * improvement stop training, and the learning-rate schedule (torch's ReduceLROnPlateau, relative
 * `lrThreshold`) sees the best perplexity at every check.
 */
export interface PlateauRule {
  readonly improvement: number;
  readonly lrThreshold: number;
  readonly stepsBetweenChecks: number;
}

/** Bengio et al. (2003) as the window model has always run it: Adam 1e-3 (SGD 0.1), batches of 128 positions, no clipping. */
export const WINDOW_TRAINING: TrainingDefaults = {
  source: 'Bengio et al. 2003',
  learningRate: { adam: 1e-3, sgd: 0.1 },
  batchSize: 128,
  batchSizeMeaning: 'examples (positions) per gradient step',
  maxBatchSize: 65536,
  clip: 0,
  maxEpochs: 10,
  patience: 3,
  lrDecay: 0.5,
  lrPatience: 0,
  // Any improvement counts, every epoch is a check; the schedule keeps torch's default threshold.
  plateau: { improvement: 0, lrThreshold: 1e-4, stepsBetweenChecks: 0 },
  // On the global norm of the batch's mean gradient.
  suggestedClip: 1,
};

/** pytorch/examples word_language_model: clipping at 0.25, 32 parallel streams (Adam 0.002 here, for either optimiser). */
export const RECURRENT_TRAINING: TrainingDefaults = {
  source: "torch's word_language_model",
  learningRate: { adam: 0.002, sgd: 0.002 },
  batchSize: 32,
  batchSizeMeaning: 'parallel streams (stream mode) or sentences (sentence mode) per step',
  maxBatchSize: 4096,
  clip: 0.25,
  maxEpochs: 200,
  patience: 3,
  lrDecay: 0.5,
  lrPatience: 0,
  // A drop under 0.1% (about 0.001 nats) is no improvement; a toy corpus of one or two steps an epoch is
  // checked every 25 steps or so, so that a slow start is not taken for a plateau.
  plateau: { improvement: 1e-3, lrThreshold: 1e-3, stepsBetweenChecks: 25 },
  suggestedClip: 0.25,
};

/** The shared options as zod fields, to spread into a plug-in's `z.strictObject({...})`. */
export function trainingOptions(d: TrainingDefaults) {
  return {
    optimizer: z
      .enum(['adam', 'sgd', 'sparse-adam'])
      .default('adam')
      .describe(
        "Adam, SGD (with momentum), or sparse-adam: torch's lazy SparseAdam on the embedding and class-output rows a step touched, Adam elsewhere (no weight decay)",
      ),
    learningRate: z
      .number()
      .positive()
      .max(1000)
      .optional()
      .describe(
        d.learningRate.adam === d.learningRate.sgd
          ? `initial learning rate (default ${d.learningRate.adam})`
          : `initial learning rate (default: ${d.learningRate.adam} for adam, ${d.learningRate.sgd} for sgd)`,
      ),
    momentum: z.number().min(0).max(0.999).default(0).describe('SGD momentum'),
    weightDecay: z.number().min(0).max(1).default(0).describe('L2 penalty added to every gradient (torch weight_decay)'),
    clip: z.number().min(0).default(d.clip).describe(`clip the global gradient norm to this (0: no clipping; the default follows ${d.source})`),
    dropout: z.number().min(0).lt(1).default(0).describe('dropout probability while training'),
    batchSize: z.number().int().min(1).max(d.maxBatchSize).default(d.batchSize).describe(d.batchSizeMeaning),
    maxEpochs: z.number().int().min(1).max(100_000).default(d.maxEpochs).describe('epochs when the training budget names none'),
    lrDecay: z.number().gt(0).max(1).default(d.lrDecay).describe('multiply the learning rate by this when valid perplexity plateaus (1: constant)'),
    lrPatience: z.number().int().min(0).default(d.lrPatience).describe('checks without improvement tolerated before the learning rate decays'),
    patience: z.number().int().min(0).default(d.patience).describe('early stopping: stop after this many checks without improvement (0: never)'),
    dtype: z.enum(['float32', 'float64']).default('float32').describe('precision of the parameters and the arithmetic'),
  };
}

/** The checks across the shared options, for a plug-in schema's `superRefine`. */
export function checkTrainingOptions(hp: { optimizer: string; weightDecay: number }, ctx: z.RefinementCtx): void {
  if (hp.optimizer === 'sparse-adam' && hp.weightDecay !== 0)
    ctx.addIssue({ code: 'custom', path: ['weightDecay'], message: 'sparse-adam has no weight decay (as torch.optim.SparseAdam); use adam for weightDecay' });
}

/** What `trainingOptions` parses to (with `learningRate` still optional: see `resolveLearningRate`). */
export type TrainingOptions = z.output<z.ZodObject<ReturnType<typeof trainingOptions>>>;

/** The options with the learning rate filled in from the plug-in's defaults for the chosen optimiser. */
export function resolveLearningRate<T extends TrainingOptions>(hp: T, defaults: TrainingDefaults): T & { learningRate: number } {
  return { ...hp, learningRate: hp.learningRate ?? defaults.learningRate[hp.optimizer === 'sgd' ? 'sgd' : 'adam'] };
}

/** The option names of versions before 1.0.0 that the shared schema replaced (old → new), per plug-in. */
export const RENAMED_IN = '1.0.0';
export const WINDOW_RENAMED: Readonly<Record<string, string>> = { lr: 'learningRate', epochs: 'maxEpochs', earlyStopping: 'patience' };
