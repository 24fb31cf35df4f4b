import { basename } from 'node:path';
import { writeArpa } from '../../models/ngram/arpa-write.ts';
import { checkOutputFile } from '../output-path.ts';
import { PLUGIN_OPTION, pluginRegistry, requiredFlag, type Flags, type OptionTypes } from './common.ts';
import { loadModel } from './load-model.ts';

export const EXPORT_ARPA_OPTIONS: OptionTypes = {
  load: { type: 'string', value: 'DIR', description: 'an ngram model folder written by train --save' },
  out: { type: 'string', value: 'FILE', description: 'the ARPA file to write (gzip if it ends in .gz); an existing file is refused unless --overwrite' },
  overwrite: { type: 'boolean', description: 'replace an existing --out file' },
  ...PLUGIN_OPTION,
};

/**
 * `export-arpa --load DIR --out FILE [--overwrite]`: a saved back-off n-gram model as an ARPA file (gzip if FILE
 * ends in .gz). An existing FILE is replaced only with --overwrite: unlike a model folder, an ARPA file does not
 * say who wrote it, and it may be a KenLM model that took hours.
 */
export async function exportArpaCommand(flags: Flags): Promise<void> {
  const dir = requiredFlag(flags, 'load', 'a model folder written by train --save');
  const out = requiredFlag(flags, 'out', 'the ARPA file to write');
  checkOutputFile(out, flags.overwrite === true, { option: '--out', example: `runs/${basename(out)}` });
  writeArpa(loadModel(dir, await pluginRegistry(flags)).model, out);
  process.stderr.write(`wrote ${out}\n`);
}
