import { z } from 'zod';

export type Cell = 'rnn' | 'lstm' | 'gru';

const common = {
  embeddingSize: z.number().int().min(1).max(4096).default(128).describe('embedding size D (ignored with oneHot)'),
  hiddenSize: z.number().int().min(1).max(4096).default(128).describe('hidden units H per layer'),
  numLayers: z.number().int().min(1).max(8).default(1).describe('stacked recurrent layers'),
  dropout: z.number().min(0).lt(1).default(0).describe('dropout on the embeddings, between layers and before the output layer'),
  tie: z.boolean().default(false).describe('share the embedding and output weights (needs embeddingSize = hiddenSize)'),
  oneHot: z.boolean().default(false).describe('feed one-hot vectors of |V| instead of embeddings (the lessons; slow for large vocabularies)'),
  batchSize: z.number().int().min(1).max(4096).default(32).describe('parallel streams (stream mode) or sentences (sentence mode) per step'),
  bptt: z.number().int().min(1).max(10000).default(35).describe('steps of truncated back-propagation through time'),
  optimizer: z.enum(['adam', 'sgd']).default('adam').describe('Adam or plain SGD'),
  learningRate: z.number().positive().max(1000).default(0.002).describe('initial learning rate'),
  clip: z.number().min(0).default(0.25).describe('clip the global gradient norm to this (0: no clipping)'),
  lrDecay: z.number().gt(0).lt(1).default(0.5).describe('learning-rate factor when the valid perplexity does not improve'),
  patience: z.number().int().min(1).default(3).describe('epochs without improvement before early stopping'),
  maxEpochs: z.number().int().min(1).default(200).describe('epochs when no budget is given'),
};

/** Weight tying (Press & Wolf 2017; Inan et al. 2017) shares one |V| × D matrix, so D must equal H. */
function tyingNeedsEqualSizes(hp: { tie: boolean; oneHot: boolean; embeddingSize: number; hiddenSize: number }, ctx: z.RefinementCtx): void {
  if (hp.tie && hp.oneHot) ctx.addIssue({ code: 'custom', path: ['tie'], message: 'tying needs an embedding; it cannot be combined with oneHot' });
  else if (hp.tie && hp.embeddingSize !== hp.hiddenSize) {
    ctx.addIssue({ code: 'custom', path: ['tie'], message: `tying needs embeddingSize = hiddenSize (got ${hp.embeddingSize} and ${hp.hiddenSize})` });
  }
}

export const rnnSchema = z
  .strictObject({ ...common, nonlinearity: z.enum(['tanh', 'relu']).default('tanh').describe('activation of the recurrent layer') })
  .superRefine(tyingNeedsEqualSizes);
export const gatedSchema = z.strictObject(common).superRefine(tyingNeedsEqualSizes);

export type RecurrentLMOptions = z.output<typeof gatedSchema> & { nonlinearity?: 'tanh' | 'relu' };
