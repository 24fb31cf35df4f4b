import { basename } from 'node:path';
import { brownCorpus } from './brown.ts';
import { SPLITS, type Corpus, type TokenLevel } from './corpus.ts';
import { readLines, tokenize } from './text-file.ts';
import { TOY_TEXTS, toyCorpus, type ToyName } from './toy.ts';
import { UserError } from '../errors/user-error.ts';

export interface CorpusOptions {
  /** Tokens of a user's text: words (default) or characters. */
  readonly level?: TokenLevel;
  /** Train words seen fewer times become `<unk>`; default 1 (keep every training word). */
  readonly minCount?: number;
  /** Train/valid/test fractions for `text:PATH`; default 0.8/0.1/0.1. */
  readonly fractions?: readonly [number, number, number];
}

export const CORPUS_SPECS = ['brown', ...Object.keys(TOY_TEXTS), 'text:PATH', 'files:TRAIN,VALID,TEST'] as const;

export function checkMinCount(minCount: number | undefined): number {
  const m = minCount ?? 1;
  if (!Number.isInteger(m) || m < 1) throw new UserError(`--min-count must be an integer ≥ 1, got ${String(minCount)}`);
  return m;
}

/** Parse "0.8,0.1,0.1" into three positive fractions that sum to 1. */
export function parseFractions(text: string): [number, number, number] {
  const parts = text.split(',').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || x < 0) || Math.abs(parts[0]! + parts[1]! + parts[2]! - 1) > 1e-9) {
    throw new UserError(`--fractions must be three fractions TRAIN,VALID,TEST that add up to 1 (e.g. 0.8,0.1,0.1), got "${text}"`);
  }
  return [parts[0]!, parts[1]!, parts[2]!];
}

export const DEFAULT_FRACTIONS = [0.8, 0.1, 0.1] as const;

/**
 * `text:` splits lines, not words: a file of too few lines (a whole book on one line) leaves a split empty,
 * which the user should hear about in those terms rather than as "the valid split has no tokens".
 */
export function checkLineSplit(path: string, lines: number, counts: readonly [number, number, number], fractions: readonly number[]): void {
  const empty = SPLITS.filter((_, i) => counts[i] === 0);
  if (empty.length === 0) return;
  const plural = (n: number, word: string): string => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  throw new UserError(
    `${path}: has ${plural(lines, 'non-blank line')}, so the ${empty.join(' and ')} split${empty.length > 1 ? 's get' : ' gets'} none. ` +
      `text: takes one sentence a line and splits the lines in order by --fractions (${fractions.join(',')}: ` +
      `${counts.map((n, i) => `${n} ${SPLITS[i]}`).join(', ')}); put each sentence on its own line, ` +
      'or name three files with files:TRAIN,VALID,TEST',
  );
}

function sentencesOf(path: string, level: TokenLevel): string[][] {
  const lines = readLines(path);
  if (lines.length === 0) throw new UserError(`${path}: empty corpus (no non-blank lines)`);
  return lines.map((line) => tokenize(line, level));
}

/**
 * A corpus named on the command line: `brown`, `hihello`, `ship`, `text:PATH` (one file, one sentence a
 * line, split in order by fractions) or `files:TRAIN,VALID,TEST`.
 */
export function loadCorpus(spec: string, options: CorpusOptions = {}): Corpus {
  if (spec === 'brown' || spec in TOY_TEXTS) {
    if (options.minCount !== undefined || options.fractions !== undefined || options.level !== undefined) {
      throw new UserError(
        `--corpus ${spec} fixes its own tokens, split and vocabulary; --min-count, --fractions and --level apply to text: and files: corpora`,
      );
    }
    return spec === 'brown' ? brownCorpus() : toyCorpus(spec as ToyName);
  }
  const level = options.level ?? 'word';
  const minCount = checkMinCount(options.minCount);
  if (spec.startsWith('text:')) {
    const path = spec.slice('text:'.length);
    if (!path) throw new UserError('--corpus text:PATH needs a file path');
    const all = sentencesOf(path, level);
    const fractions = options.fractions ?? DEFAULT_FRACTIONS;
    const nTrain = Math.round(all.length * fractions[0]);
    const nValid = Math.round(all.length * fractions[1]);
    checkLineSplit(path, all.length, [nTrain, nValid, all.length - nTrain - nValid], fractions);
    const name = basename(path).replace(/\.[^.]*$/, '');
    return {
      name,
      level,
      train: all.slice(0, nTrain),
      valid: all.slice(nTrain, nTrain + nValid),
      test: all.slice(nTrain + nValid),
      minCount,
      source: path,
    };
  }
  if (spec.startsWith('files:')) {
    if (options.fractions !== undefined) throw new UserError('--fractions applies to text:PATH; files: names its splits itself');
    const paths = spec.slice('files:'.length).split(',');
    if (paths.length !== 3 || paths.some((p) => !p)) {
      throw new UserError(`--corpus files:TRAIN,VALID,TEST needs three comma-separated paths, got "${spec}"`);
    }
    const [train, valid, test] = paths.map((p) => sentencesOf(p, level)) as [string[][], string[][], string[][]];
    return { name: basename(paths[0]!).replace(/\.[^.]*$/, ''), level, train, valid, test, minCount, source: paths.join(',') };
  }
  throw new UserError(`--corpus "${spec}" is not known; use one of ${CORPUS_SPECS.join(', ')}`);
}
