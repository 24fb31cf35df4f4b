import { z } from 'zod';
import { outputOptions } from '../../numerics/output/options.ts';
import { checkTrainingOptions, trainingOptions, WINDOW_TRAINING } from '../../numerics/training/options.ts';

/**
 * The window model's hyper-parameters (CLI flags are these keys in kebab-case: `--n 5 --m 60 --h 50 --direct`): its
 * shape, and the training options every neural plug-in shares, with the defaults of Bengio et al. 2003.
 */
export const windowSchema = z
  .strictObject({
    n: z.number().int().min(2).max(64).default(5).describe('window: each word is predicted from the n−1 words before it'),
    m: z.number().int().min(1).max(4096).default(60).describe('embedding size: C is |V|×m'),
    h: z.number().int().min(0).max(65536).default(50).describe('hidden units (0: no hidden layer, then direct connections are needed)'),
    direct: z.boolean().default(false).describe('direct connections W from the embeddings to the output'),
    ...outputOptions,
    ...trainingOptions(WINDOW_TRAINING),
    dropout: z.number().min(0).lt(1).default(0).describe('dropout on the embeddings and on the hidden layer while training'),
  })
  // Checked here rather than when the network is built, so that a config or command line is refused before training.
  .superRefine((hp, ctx) => {
    checkTrainingOptions(hp, ctx);
    if (hp.h === 0 && !hp.direct)
      ctx.addIssue({ code: 'custom', path: ['direct'], message: 'is needed when h = 0 (no hidden layer): the output would see nothing' });
  });

export type WindowHyperParameters = z.output<typeof windowSchema>;

/** The hyper-parameters with the learning rate filled in for the optimiser (as a model and its checkpoint keep them). */
export type ResolvedWindowHyperParameters = WindowHyperParameters & { learningRate: number };
