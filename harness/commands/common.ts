import type { SplitName, TokenLevel } from '../../corpora/corpus.ts';
import { loadCorpus, parseFractions, type CorpusOptions } from '../../corpora/load.ts';
import { UserError } from '../../errors/user-error.ts';
import { loadPlugins } from '../plugin-loader.ts';
import { DEFAULT_RESAMPLES } from '../statistics/bootstrap.ts';
import type { PluginRegistry } from '../../models/registry.ts';
import type { Budget, Protocol } from '../../models/types.ts';

export type Flags = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
/**
 * One command-line option: the parser's type, and what `COMMAND --help` says of it. Each command's table is the one
 * source of both (harness/cli.ts makes the `util.parseArgs` options and the help from it).
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in help (`N`, `DIR`, `SPEC`); booleans take none. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly description: string;
  /** What applies when the option is not given, as help shows it; the command itself applies it. */
  readonly default?: string;
  /** An option of an earlier version, refused with the name that replaced it (and not shown in help). */
  readonly renamed?: { readonly to: string; readonly version: string };
  /** Repeatable: every value is kept, in order (`--plugin A --plugin B`). */
  readonly multiple?: boolean;
}

export type OptionTypes = Readonly<Record<string, OptionSpec>>;

/** Where run, report and merge keep results unless --out says otherwise. */
export const DEFAULT_OUT = 'reports';

export const CORPUS_OPTIONS: OptionTypes = {
  corpus: { type: 'string', value: 'SPEC', description: 'brown, hihello, ship, text:PATH (one file, split by --fractions) or files:TRAIN,VALID,TEST' },
  'min-count': { type: 'string', value: 'N', description: 'train words seen fewer than N times become <unk> (text: and files: only)', default: '1' },
  level: { type: 'string', value: 'word|char', description: 'tokens of a text: or files: corpus', default: 'word' },
  fractions: { type: 'string', value: 'A,B,C', description: 'train, valid and test fractions of a text: corpus, in file order', default: '0.8,0.1,0.1' },
};

export const MODE_OPTION: OptionTypes = {
  mode: {
    type: 'string',
    value: 'sentence|stream',
    description: 'sentence: each sentence starts from <s>; stream: the history crosses sentence ends',
    default: 'sentence',
  },
};

export const BUDGET_OPTIONS: OptionTypes = {
  epochs: { type: 'string', value: 'N', description: "stop training after N epochs (default: the model's own limit)" },
  seconds: { type: 'string', value: 'S', description: 'stop training after S seconds' },
  tokens: { type: 'string', value: 'N', description: 'stop training after N training tokens' },
};

export const PLUGIN_OPTION: OptionTypes = {
  plugin: {
    type: 'string',
    multiple: true,
    value: 'PATH_OR_PACKAGE',
    description: 'also use the plug-ins this module exports (a .ts or .js file, or an installed package); repeatable',
  },
};

/** The bootstrap's resamples, for every command that gives an interval (harness/statistics/bootstrap.ts says why 2,000). */
export const RESAMPLES_OPTION: OptionTypes = {
  resamples: {
    type: 'string',
    value: 'N',
    description: `bootstrap resamples for the 95% intervals (≥ 100; the ends are stable to 3 significant digits at the default)`,
    default: String(DEFAULT_RESAMPLES),
  },
};

export function resamplesFlag(flags: Flags): number {
  return numberFlag(flags, 'resamples', { integer: true, min: 100 }) ?? DEFAULT_RESAMPLES;
}

/** Every value of a repeatable option, in order. */
export function listFlag(flags: Flags, name: string): string[] {
  const v = flags[name];
  const values = v === undefined ? [] : Array.isArray(v) ? v : [v];
  return values.map((x) => {
    if (typeof x !== 'string') throw new UserError(`--${name} needs a value`);
    return x;
  });
}

/** The built-in plug-ins and those of the `--plugin` modules (paths against the current folder). */
export function pluginRegistry(flags: Flags): Promise<PluginRegistry> {
  return loadPlugins(listFlag(flags, 'plugin'), process.cwd());
}

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
