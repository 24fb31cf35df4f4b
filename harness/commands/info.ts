import { loadEncodedCorpus } from '../../corpora/load-encoded.ts';
import { formatOptions, modelOptionRows } from '../help.ts';
import { modelOptionSpecs } from '../model-options.ts';
import { CORPUS_OPTIONS, corpusOptions, PLUGIN_OPTION, pluginRegistry, requiredFlag, type Flags, type OptionTypes } from './common.ts';
import { describeCorpus } from './train.ts';

export const CORPUS_INFO_OPTIONS: OptionTypes = { ...CORPUS_OPTIONS };

/** `corpus --corpus SPEC`: split sizes and vocabulary (for Brown, beside Bengio et al.'s figures). */
export async function corpusCommand(flags: Flags): Promise<void> {
  const spec = requiredFlag(flags, 'corpus', 'brown, hihello, ship, text:PATH or files:TRAIN,VALID,TEST');
  process.stdout.write(`${describeCorpus(loadEncodedCorpus(spec, corpusOptions(flags)))}\n`);
}

export const MODELS_OPTIONS: OptionTypes = { ...PLUGIN_OPTION };

/** `models [--plugin M]`: every registered plug-in (and those the modules named export) and its options. */
export async function modelsCommand(flags: Flags): Promise<void> {
  const lines: string[] = [];
  for (const plugin of (await pluginRegistry(flags)).plugins) {
    lines.push(`${plugin.name} (${plugin.family}): ${plugin.description}`, ...formatOptions(modelOptionRows(modelOptionSpecs(plugin))), '');
  }
  lines.push("Options are flags of 'train --model NAME' and, in camelCase, keys of an experiment's \"hyperParameters\" (--hidden-size: hiddenSize).");
  process.stdout.write(`${lines.join('\n')}\n`);
}
