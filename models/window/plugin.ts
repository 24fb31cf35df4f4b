import { definePlugin } from '../plugin.ts';
import { WindowModel } from './model.ts';
import { RENAMED_IN, WINDOW_RENAMED } from '../../numerics/training/options.ts';
import { windowSchema } from './options.ts';

export const windowPlugin = definePlugin({
  name: 'window',
  family: 'window',
  familyLabel: 'fixed window',
  contextLength: (hp) => hp.n - 1,
  contextParameter: 'n',
  description: 'Fixed-window feed-forward neural LM (Bengio et al. 2003): y = b + Wx + U tanh(d + Hx) over the n−1 previous embeddings.',
  schema: windowSchema,
  create: (hp, vocab) => new WindowModel(hp, vocab),
  fromCheckpoint: (data, hp, vocab) => WindowModel.fromCheckpoint(data, hp, vocab),
  renamedOptions: { version: RENAMED_IN, names: WINDOW_RENAMED },
  conformance: [
    { hyperParameters: { n: 3, m: 4, h: 6, direct: true, batchSize: 64, dtype: 'float64' } },
    { hyperParameters: { n: 4, m: 6, h: 0, direct: true, batchSize: 16, optimizer: 'sgd', momentum: 0.9, dropout: 0.2, clip: 5 } },
    { hyperParameters: { n: 3, m: 4, h: 6, direct: true, batchSize: 32, output: 'class', dropout: 0.2 } },
    { hyperParameters: { n: 3, m: 4, h: 6, batchSize: 32, output: 'adaptive', divValue: 2 } },
  ],
});
