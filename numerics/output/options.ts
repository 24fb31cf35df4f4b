import { z } from 'zod';
import { UserError } from '../../errors/user-error.ts';
import type { Parameter } from '../parameter.ts';
import type { DType } from '../tensor.ts';
import { defaultCutoffs } from './adaptive-shape.ts';
import { AdaptiveSoftmax } from './adaptive-softmax.ts';
import { ClassSoftmax } from './class-softmax.ts';
import { FullSoftmax } from './full-softmax.ts';
import type { OutputLayer } from './output-layer.ts';
import { classesFromOrder, defaultClassCount, frequencyClasses, targetCounts, type ClassBinning, type WordClasses } from './word-classes.ts';

/**
 * The output-layer options every neural plug-in shares (spread into its zod schema, as `trainingOptions`):
 * `--output class --classes 120 --class-binning sqrt` on the command line.
 */
export const outputOptions = {
  output: z
    .enum(['full', 'class', 'adaptive'])
    .default('full')
    .describe(
      'output layer: full softmax over |V|, class-factored P(c | h) · P(w | c, h) (Mikolov et al. 2011), or the adaptive softmax (Grave et al. 2017); the last two are far faster for large |V|',
    ),
  classes: z.number().int().min(0).max(65536).default(0).describe('word classes of the class output (0: about √|V|)'),
  classBinning: z
    .enum(['sqrt', 'unigram'])
    .default('sqrt')
    .describe('class output: classes hold equal shares of √(unigram probability) (RNNLM toolkit default) or of the unigram probability'),
  cutoffs: z
    .union([
      z.array(z.number().int().min(1)),
      z
        .string()
        .regex(/^\d+(,\d+)*$/, 'a comma-separated list of word ids, e.g. 2000,8000')
        .transform((s) => s.split(',').map(Number)),
    ])
    .default([])
    .describe('adaptive output: the cut-offs of the shortlist and clusters in frequency-ordered ids, e.g. 2000,8000 (empty: chosen for |V|)'),
  divValue: z
    .number()
    .gt(1)
    .max(64)
    .default(4)
    .describe("adaptive output: each cluster's projection is divValue times narrower than the one before (torch's div_value)"),
};

export interface OutputOptions {
  readonly output: 'full' | 'class' | 'adaptive';
  readonly classes: number;
  readonly classBinning: ClassBinning;
  /** Adaptive output: its cut-offs (empty: `defaultCutoffs`) and div_value; absent means those defaults. */
  readonly cutoffs?: readonly number[];
  readonly divValue?: number;
}

/** The number of classes the options ask for at this vocabulary size (never more than |V|). */
export function classCount(options: OutputOptions, vocabSize: number): number {
  return Math.min(vocabSize, options.classes > 0 ? options.classes : defaultClassCount(vocabSize));
}

/**
 * Classes for a model that has seen no training text yet: binned as if the counts fell as 1/(id + 1), since
 * vocabulary ids are in descending order of count (`corpora/vocabulary.ts`). Training replaces them with the
 * classes of the real counts (`classesForTraining`).
 */
export function provisionalClasses(options: OutputOptions, vocabSize: number): WordClasses {
  const counts = Float64Array.from({ length: vocabSize }, (_, id) => 1 / (id + 1));
  return frequencyClasses(counts, classCount(options, vocabSize), options.classBinning);
}

/** The classes of the training targets: every token of `tokens` and, `eosCount` times, the end-of-sentence id. */
export function classesForTraining(options: OutputOptions, vocabSize: number, tokens: Int32Array, eosId: number, eosCount: number): WordClasses {
  const counts = targetCounts(tokens, vocabSize);
  counts[eosId]! += eosCount;
  return frequencyClasses(counts, classCount(options, vocabSize), options.classBinning);
}

export interface OutputLayerShape {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly dtype: DType;
  /** Prefix of its parameters' names. */
  readonly name: string;
  /** The full softmax's weight shared with the embedding (weight tying); not with the class output. */
  readonly tied?: Parameter | null;
}

/** The adaptive output's cut-offs: the options', or `defaultCutoffs` for this vocabulary and input width. */
export function adaptiveCutoffs(options: OutputOptions, vocabSize: number, inputSize: number): number[] {
  const divValue = options.divValue ?? 4;
  return options.cutoffs && options.cutoffs.length > 0 ? [...options.cutoffs] : defaultCutoffs(vocabSize, { inputSize, divValue });
}

/**
 * The output layer the options ask for (a class output starts with `provisionalClasses`; an adaptive one's
 * parameters are zero until the model initialises them).
 */
export function createOutputLayer(options: OutputOptions, shape: OutputLayerShape): OutputLayer {
  if (options.output === 'adaptive') {
    const { vocabSize, inputSize, dtype, name } = shape;
    const cutoffs = adaptiveCutoffs(options, vocabSize, inputSize);
    return AdaptiveSoftmax.create({ vocabSize, inputSize, cutoffs, divValue: options.divValue ?? 4, headBias: false, dtype, name });
  }
  if (options.output === 'class') {
    const classes = provisionalClasses(options, shape.vocabSize);
    return new ClassSoftmax({ ...shape, numClasses: classes.numClasses }, classes);
  }
  return new FullSoftmax(shape, shape.tied ?? null);
}

/** Names of the arrays that store a class output's classes in a checkpoint, beside its parameters. */
export function classArrayNames(name: string): { readonly order: string; readonly starts: string } {
  return { order: `${name}.classes.order`, starts: `${name}.classes.starts` };
}

/** The arrays a checkpoint keeps for an output layer beyond its parameters (a class output's classes). */
export function outputLayerState(layer: OutputLayer, name: string): Record<string, Int32Array> {
  if (!(layer instanceof ClassSoftmax)) return {};
  const names = classArrayNames(name);
  return { [names.order]: Int32Array.from(layer.classes.order), [names.starts]: Int32Array.from(layer.classes.starts) };
}

/** Restore what `outputLayerState` kept; `what` names the model in the error of a checkpoint without it. */
export function restoreOutputLayerState(layer: OutputLayer, name: string, arrays: Readonly<Record<string, unknown>>, what: string): void {
  if (!(layer instanceof ClassSoftmax)) return;
  const names = classArrayNames(name);
  const order = arrays[names.order];
  const starts = arrays[names.starts];
  if (!(order instanceof Int32Array) || !(starts instanceof Int32Array)) {
    throw new UserError(`${what} checkpoint: the class output's classes (${names.order}, ${names.starts}) are missing`);
  }
  layer.setClasses(classesFromOrder(order, starts));
}
