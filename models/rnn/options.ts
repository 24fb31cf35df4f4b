import { z } from 'zod';
import { outputOptions } from '../../numerics/output/options.ts';
import { checkTrainingOptions, RECURRENT_TRAINING, trainingOptions } from '../../numerics/training/options.ts';

export type Cell = 'rnn' | 'lstm' | 'gru';

/** The network's shape and truncated BPTT, then the training options every neural plug-in shares (torch word_language_model defaults). */
const common = {
  embeddingSize: z.number().int().min(1).max(4096).default(128).describe('embedding size D (ignored with oneHot)'),
  hiddenSize: z.number().int().min(1).max(4096).default(128).describe('hidden units H per layer'),
  numLayers: z.number().int().min(1).max(8).default(1).describe('stacked recurrent layers'),
  tie: z.boolean().default(false).describe('share the embedding and output weights (needs embeddingSize = hiddenSize)'),
  oneHot: z.boolean().default(false).describe('feed one-hot vectors of |V| instead of embeddings (the lessons; slow for large vocabularies)'),
  ...outputOptions,
  bptt: z.number().int().min(1).max(10000).default(35).describe('steps of truncated back-propagation through time'),
  ...trainingOptions(RECURRENT_TRAINING),
  dropout: z.number().min(0).lt(1).default(0).describe('dropout on the embeddings, between layers and before the output layer'),
};

/** Weight tying (Press & Wolf 2017; Inan et al. 2017) shares one |V| × D matrix, so D must equal H. */
function tyingNeedsEqualSizes(
  hp: { tie: boolean; oneHot: boolean; embeddingSize: number; hiddenSize: number; output: string; optimizer: string; weightDecay: number },
  ctx: z.RefinementCtx,
): void {
  checkTrainingOptions(hp, ctx);
  if (hp.tie && hp.output !== 'full')
    ctx.addIssue({ code: 'custom', path: ['tie'], message: `tying shares the full softmax's weights; it cannot be combined with output "${hp.output}"` });
  else if (hp.tie && hp.oneHot) ctx.addIssue({ code: 'custom', path: ['tie'], message: 'tying needs an embedding; it cannot be combined with oneHot' });
  else if (hp.tie && hp.embeddingSize !== hp.hiddenSize) {
    ctx.addIssue({ code: 'custom', path: ['tie'], message: `tying needs embeddingSize = hiddenSize (got ${hp.embeddingSize} and ${hp.hiddenSize})` });
  }
}

export const rnnSchema = z
  .strictObject({ ...common, nonlinearity: z.enum(['tanh', 'relu']).default('tanh').describe('activation of the recurrent layer') })
  .superRefine(tyingNeedsEqualSizes);
export const gatedSchema = z.strictObject(common).superRefine(tyingNeedsEqualSizes);

export type RecurrentLMOptions = z.output<typeof gatedSchema> & { nonlinearity?: 'tanh' | 'relu' };

/** The options with the learning rate filled in for the optimiser (as a model and its checkpoint keep them). */
export type ResolvedRecurrentOptions = RecurrentLMOptions & { learningRate: number };
