import { z } from 'zod';

/** The window model's hyper-parameters (CLI flags are these keys in kebab-case: `--n 5 --m 60 --h 50 --direct`). */
export const windowSchema = z
  .strictObject({
    n: z.number().int().min(2).max(64).default(5).describe('window: each word is predicted from the n−1 words before it'),
    m: z.number().int().min(1).max(4096).default(60).describe('embedding size: C is |V|×m'),
    h: z.number().int().min(0).max(65536).default(50).describe('hidden units (0: no hidden layer, then direct connections are needed)'),
    direct: z.boolean().default(false).describe('direct connections W from the embeddings to the output'),
    dropout: z.number().min(0).max(0.95).default(0).describe('dropout on the embeddings and on the hidden layer while training'),
    optimizer: z.enum(['adam', 'sgd']).default('adam').describe('Adam or SGD (with --momentum)'),
    lr: z.number().positive().max(100).optional().describe('learning rate (default: 0.001 for adam, 0.1 for sgd)'),
    momentum: z.number().min(0).max(0.999).default(0).describe('SGD momentum'),
    weightDecay: z.number().min(0).max(1).default(0).describe('L2 penalty added to every gradient (torch weight_decay)'),
    clip: z.number().min(0).default(0).describe('clip the global gradient norm to this (0: no clipping)'),
    batchSize: z.number().int().min(1).max(65536).default(128).describe('examples (positions) per gradient step'),
    epochs: z.number().int().min(1).max(10_000).default(10).describe('epochs when the training budget names none'),
    lrDecay: z.number().gt(0).max(1).default(0.5).describe('multiply lr by this when valid perplexity plateaus (1: constant lr)'),
    lrPatience: z.number().int().min(0).default(0).describe('epochs without improvement before the lr decays'),
    earlyStopping: z.number().int().min(0).default(3).describe('stop after this many epochs without improvement (0: never)'),
    dtype: z.enum(['float32', 'float64']).default('float32').describe('precision of the parameters and the arithmetic'),
  })
  // Checked here rather than when the network is built, so that a config or command line is refused before training.
  .superRefine((hp, ctx) => {
    if (hp.h === 0 && !hp.direct)
      ctx.addIssue({ code: 'custom', path: ['direct'], message: 'is needed when h = 0 (no hidden layer): the output would see nothing' });
  });

export type WindowHyperParameters = z.output<typeof windowSchema>;

export const DEFAULT_LR = { adam: 1e-3, sgd: 0.1 } as const;
