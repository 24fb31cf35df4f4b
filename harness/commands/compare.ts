import { compareRuns } from '../comparison/compare.ts';
import { formatComparison } from '../comparison/format.ts';
import { UserError } from '../../errors/user-error.ts';
import type { ScoredSplit } from '../experiment/token-files.ts';
import { DEFAULT_OUT, type Flags, type OptionTypes, RESAMPLES_OPTION, resamplesFlag, stringFlag } from './common.ts';
import { type CommandIo, PROCESS_IO } from './io.ts';

export const COMPARE_OPTIONS: OptionTypes = {
  out: { type: 'string', value: 'DIR', description: 'the results folder to read', default: DEFAULT_OUT },
  split: { type: 'string', value: 'test|valid', description: 'the split whose per-token log-probabilities are compared', default: 'test' },
  json: { type: 'boolean', description: 'print one JSON object with every pair instead of the table' },
  'bits-per-character': {
    type: 'boolean',
    description: 'compare bits per character of the text (needed for runs on different vocabularies or tokenisations of the same text)',
  },
  'by-frequency': { type: 'boolean', description: "also tally the tokens by the target word's training frequency" },
  ...RESAMPLES_OPTION,
};

function scoredSplitFlag(flags: Flags): ScoredSplit {
  const v = stringFlag(flags, 'split') ?? 'test';
  if (v !== 'test' && v !== 'valid') throw new UserError(`--split must be test or valid, got "${v}"`);
  return v;
}

/** `compare [RUN…]`: paired bootstrap and compare-ppls tally of every pair of configurations (or of the named runs). */
export function compareCommand(flags: Flags, positionals: readonly string[], io: CommandIo = PROCESS_IO): number {
  const dir = stringFlag(flags, 'out') ?? DEFAULT_OUT;
  const comparison = compareRuns(dir, positionals, {
    split: scoredSplitFlag(flags),
    resamples: resamplesFlag(flags),
    bitsPerCharacter: flags['bits-per-character'] === true,
  });
  if (flags.json === true) io.stdout.write(`${JSON.stringify(comparison)}\n`);
  else io.stdout.write(formatComparison(comparison, flags['by-frequency'] === true));
  return 0;
}
