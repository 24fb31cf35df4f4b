import type { SplitName, TokenLevel } from '../../corpora/corpus.ts';
import { loadCorpus, parseFractions, type CorpusOptions } from '../../corpora/load.ts';
import { UserError } from '../../corpora/user-error.ts';
import type { Budget, Protocol } from '../../models/types.ts';

export type Flags = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
export type OptionTypes = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export const CORPUS_OPTIONS: OptionTypes = {
  corpus: { type: 'string' },
  'min-count': { type: 'string' },
  level: { type: 'string' },
  fractions: { type: 'string' },
};

export const MODE_OPTION: OptionTypes = { mode: { type: 'string' } };

export const BUDGET_OPTIONS: OptionTypes = {
  epochs: { type: 'string' },
  seconds: { type: 'string' },
  tokens: { type: 'string' },
};

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UserError(`--${name} needs a value`);
  return v;
}

export function requiredFlag(flags: Flags, name: string, what: string): string {
  const v = stringFlag(flags, name);
  if (v === undefined) throw new UserError(`--${name} is required (${what})`);
  return v;
}

export function numberFlag(flags: Flags, name: string, check: { integer?: boolean; min?: number } = {}): number | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (check.integer && !Number.isInteger(n)) || (check.min !== undefined && n < check.min)) {
    const kind = check.integer ? 'an integer' : 'a number';
    throw new UserError(`--${name} must be ${kind}${check.min !== undefined ? ` ≥ ${check.min}` : ''}, got "${v}"`);
  }
  return n;
}

export function levelFlag(flags: Flags): TokenLevel | undefined {
  const v = stringFlag(flags, 'level');
  if (v === undefined) return undefined;
  if (v !== 'word' && v !== 'char') throw new UserError(`--level must be "word" or "char", got "${v}"`);
  return v;
}

export function modeFlag(flags: Flags, fallback: Protocol = 'sentence'): Protocol {
  const v = stringFlag(flags, 'mode');
  if (v === undefined) return fallback;
  if (v !== 'sentence' && v !== 'stream') throw new UserError(`--mode must be "sentence" or "stream", got "${v}"`);
  return v;
}

export function splitFlag(flags: Flags): SplitName {
  const v = stringFlag(flags, 'split') ?? 'test';
  if (v !== 'train' && v !== 'valid' && v !== 'test') throw new UserError(`--split must be train, valid or test, got "${v}"`);
  return v;
}

export function corpusOptions(flags: Flags): CorpusOptions {
  const minCount = numberFlag(flags, 'min-count');
  if (minCount !== undefined && (!Number.isInteger(minCount) || minCount < 1)) {
    throw new UserError(`--min-count must be an integer ≥ 1, got "${String(flags['min-count'])}"`);
  }
  const fractions = stringFlag(flags, 'fractions');
  const level = levelFlag(flags);
  return {
    ...(level !== undefined ? { level } : {}),
    ...(minCount !== undefined ? { minCount } : {}),
    ...(fractions !== undefined ? { fractions: parseFractions(fractions) } : {}),
  };
}

export function budgetFlags(flags: Flags): Budget | undefined {
  const epochs = numberFlag(flags, 'epochs', { integer: true, min: 1 });
  const seconds = numberFlag(flags, 'seconds', { min: 0 });
  const tokens = numberFlag(flags, 'tokens', { integer: true, min: 1 });
  if (epochs === undefined && seconds === undefined && tokens === undefined) return undefined;
  return { ...(epochs !== undefined ? { epochs } : {}), ...(seconds !== undefined ? { seconds } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}

export { encodeWithVocabulary } from '../../corpora/corpus.ts';
export { loadCorpus };

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
