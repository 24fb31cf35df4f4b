import { encodeCorpus } from '../../corpora/corpus.ts';
import { registry } from '../../models/registry.ts';
import { formatOptions, modelOptionRows } from '../help.ts';
import { modelOptionSpecs } from '../model-options.ts';
import { CORPUS_OPTIONS, corpusOptions, loadCorpus, requiredFlag, type Flags, type OptionTypes } from './common.ts';
import { describeCorpus } from './train.ts';

export const CORPUS_INFO_OPTIONS: OptionTypes = { ...CORPUS_OPTIONS };

/** `corpus --corpus SPEC`: split sizes and vocabulary (for Brown, beside Bengio et al.'s figures). */
export async function corpusCommand(flags: Flags): Promise<void> {
  const spec = requiredFlag(flags, 'corpus', 'brown, hihello, ship, text:PATH or files:TRAIN,VALID,TEST');
  process.stdout.write(`${describeCorpus(encodeCorpus(loadCorpus(spec, corpusOptions(flags))))}\n`);
}

/** `models`: every registered plug-in and its options. */
export async function modelsCommand(): Promise<void> {
  const lines: string[] = [];
  for (const plugin of registry) {
    lines.push(`${plugin.name} (${plugin.family}): ${plugin.description}`, ...formatOptions(modelOptionRows(modelOptionSpecs(plugin))), '');
  }
  lines.push("Options are flags of 'train --model NAME' and, in camelCase, keys of an experiment's \"hyperParameters\" (--hidden-size: hiddenSize).");
  process.stdout.write(`${lines.join('\n')}\n`);
}
