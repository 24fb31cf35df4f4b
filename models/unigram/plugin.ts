import { z } from 'zod';
import { UserError } from '../../errors/user-error.ts';
import { definePlugin } from '../plugin.ts';
import { UnigramModel } from './unigram.ts';

export const unigramPlugin = definePlugin({
  name: 'unigram',
  family: 'example',
  contextLength: () => 0,
  description: 'Add-α unigram model: the minimal example of a plug-in.',
  schema: z.strictObject({
    alpha: z.number().positive().max(1e6).default(1).describe('add-α smoothing: every count gets α more'),
  }),
  create: (hp, vocab) => new UnigramModel(hp, vocab),
  fromCheckpoint: (data, hp, vocab) => {
    const lp = data.arrays.logProbs;
    if (!(lp instanceof Float64Array) || lp.length !== vocab.size) {
      throw new UserError('unigram checkpoint: logProbs is missing or does not match the vocabulary');
    }
    return new UnigramModel(hp, vocab, lp);
  },
});
