import { definePlugin } from '../plugin.ts';
import type { ModelPlugin } from '../types.ts';
import { RecurrentLanguageModel } from './model.ts';
import { gatedSchema, rnnSchema, type Cell } from './options.ts';

const DESCRIPTIONS: Record<Cell, string> = {
  rnn: 'Elman recurrent network (tanh or ReLU), torch.nn.RNN semantics, trained by truncated BPTT.',
  lstm: 'LSTM language model (Hochreiter & Schmidhuber 1997), torch.nn.LSTM semantics, trained by truncated BPTT.',
  gru: 'GRU language model (Cho et al. 2014), torch.nn.GRU semantics, trained by truncated BPTT.',
};

/** Small, fast configurations for the conformance kit (the defaults are sized for Brown). */
const SMALL = { embeddingSize: 16, hiddenSize: 16, batchSize: 8, bptt: 10 };
const CONFORMANCE = {
  rnn: [{ hyperParameters: SMALL }, { hyperParameters: { ...SMALL, nonlinearity: 'relu' } }, { hyperParameters: { ...SMALL, output: 'class', classes: 5 } }],
  lstm: [
    { hyperParameters: SMALL },
    { hyperParameters: { ...SMALL, embeddingSize: 12, hiddenSize: 12, numLayers: 2, dropout: 0.2, tie: true } },
    { hyperParameters: { ...SMALL, numLayers: 2, dropout: 0.2, output: 'class' } },
  ],
  gru: [
    { hyperParameters: SMALL },
    { hyperParameters: { ...SMALL, output: 'class', classBinning: 'unigram' } },
    { hyperParameters: { ...SMALL, output: 'adaptive' } },
  ],
};

function gatedPlugin(cell: 'lstm' | 'gru'): ModelPlugin {
  return definePlugin({
    name: cell,
    family: 'recurrent',
    contextLength: () => 'unbounded',
    description: DESCRIPTIONS[cell],
    schema: gatedSchema,
    conformance: CONFORMANCE[cell],
    create: (hp, vocab) => new RecurrentLanguageModel(cell, hp, vocab),
    fromCheckpoint: (data, hp, vocab) => RecurrentLanguageModel.fromCheckpoint(cell, data, hp, vocab),
  });
}

export const rnnPlugin: ModelPlugin = definePlugin({
  name: 'rnn',
  family: 'recurrent',
  contextLength: () => 'unbounded',
  description: DESCRIPTIONS.rnn,
  schema: rnnSchema,
  conformance: CONFORMANCE.rnn,
  create: (hp, vocab) => new RecurrentLanguageModel('rnn', hp, vocab),
  fromCheckpoint: (data, hp, vocab) => RecurrentLanguageModel.fromCheckpoint('rnn', data, hp, vocab),
});
export const lstmPlugin: ModelPlugin = gatedPlugin('lstm');
export const gruPlugin: ModelPlugin = gatedPlugin('gru');
