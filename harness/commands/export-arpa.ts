import { writeArpa } from '../../models/ngram/arpa-write.ts';
import { requiredFlag, type Flags, type OptionTypes } from './common.ts';
import { loadModel } from './load-model.ts';

export const EXPORT_ARPA_OPTIONS: OptionTypes = {
  load: { type: 'string', value: 'DIR', description: 'an ngram model folder written by train --save' },
  out: { type: 'string', value: 'FILE', description: 'the ARPA file to write (gzip if it ends in .gz)' },
};

/** `export-arpa --load DIR --out FILE`: a saved back-off n-gram model as an ARPA file (gzip if FILE ends in .gz). */
export async function exportArpaCommand(flags: Flags): Promise<void> {
  const dir = requiredFlag(flags, 'load', 'a model folder written by train --save');
  const out = requiredFlag(flags, 'out', 'the ARPA file to write');
  writeArpa(loadModel(dir).model, out);
  process.stderr.write(`wrote ${out}\n`);
}
