import { encodeCorpus } from '../../corpora/corpus.ts';
import { registry } from '../../models/registry.ts';
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
    lines.push(`${plugin.name} (${plugin.family}): ${plugin.description}`);
    for (const o of modelOptionSpecs(plugin)) {
      const kind = o.choices ? o.choices.join('|') : o.type;
      const dflt = o.default !== undefined ? ` (default ${JSON.stringify(o.default)})` : '';
      lines.push(`  --${o.flag} ${kind}${dflt}${o.description ? `  ${o.description}` : ''}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
