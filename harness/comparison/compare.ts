import { UserError } from '../../errors/user-error.ts';
import type { ResultRow } from '../experiment/results.ts';
import type { ScoredSplit } from '../experiment/token-files.ts';
import { FREQUENCY_BUCKETS, frequencyBucket } from '../report/data.ts';
import { type Interval, type PairedStatistic, pairedUnitBootstrap } from '../statistics/paired.ts';
import { type BucketTally, shares, type Tally, tallyTokens } from '../statistics/tally.ts';
import { totalByUnit } from '../statistics/units.ts';
import { type LoadedRun, RunLoader, readComparableRows, type SplitUnits, sentenceCharactersOf, splitUnits } from './runs.ts';
import { checkSamePredictions, predictedSameTokens, scoredSameText, tokenDifference } from './same-tokens.ts';
import { describeRun, type SeedGroup, selectGroups } from './select.ts';

export interface CompareOptions {
  readonly split: ScoredSplit;
  readonly resamples: number;
  /** Compare in bits per character: required for runs on different vocabularies or tokenisations of one text. */
  readonly bitsPerCharacter: boolean;
  readonly seed?: number;
}

/** One side of a pair: a configuration with its seeds' runs. */
export interface CompareSide {
  readonly label: string;
  /** The plug-in's name for its family (`familyLabel`). */
  readonly family: string;
  readonly corpus: string;
  readonly mode: string;
  readonly ids: readonly string[];
  readonly seeds: readonly number[];
  /** The statistic on the whole split, the mean over the seeds. */
  readonly value: number;
}

export interface PairResult {
  readonly a: CompareSide;
  readonly b: CompareSide;
  readonly split: ScoredSplit;
  readonly statistic: PairedStatistic;
  /** value(A) − value(B) with its 95% paired interval: negative when A is better. */
  readonly difference: Interval;
  readonly ratio: Interval;
  readonly pValue: number;
  /** p < 0.05. */
  readonly significant: boolean;
  readonly resamples: number;
  /** Sentences a resampling unit (1, or the stream-mode block). */
  readonly unitSentences: number;
  /** compare-ppls' tally of A against B, over every pair of their seeds; absent across vocabularies. */
  readonly tally?: { readonly overall: Tally; readonly byBucket: readonly BucketTally[] };
}

export interface Comparison {
  readonly pairs: readonly PairResult[];
  /** Pairs of the folder left out (no names given) because they cannot be compared, and why. */
  readonly skipped: readonly string[];
}

export const SIGNIFICANCE_LEVEL = 0.05;

/**
 * Why word perplexities of two vocabularies are not comparable: the same text scored with another vocabulary or
 * tokenisation predicts other events (kpu/kenlm #67, #345); bits per character are the same text's.
 */
function vocabularyError(a: LoadedRun, b: LoadedRun): string {
  return (
    `${describeRun(a.row)} and ${describeRun(b.row)} scored the same text with different vocabularies or tokenisations: ` +
    'their word perplexities are not comparable (a perplexity is per predicted token, and the tokens differ; see kpu/kenlm issues #67 and #345); ' +
    'add --bits-per-character to compare them in bits per character of the text'
  );
}

function side(group: SeedGroup, value: number): CompareSide {
  const first = group.runs[0]!;
  return {
    label: first.label,
    family: first.familyLabel,
    corpus: first.corpus,
    mode: first.mode,
    ids: group.runs.map((r) => r.id),
    seeds: group.runs.map((r) => r.seed),
    value,
  };
}

/**
 * Pairs of configurations: every pair of the named ones (an error when one cannot be compared), or of the folder.
 * `rows` are the runs to pick from (default: the folder's successful latest runs).
 */
export function compareRuns(dir: string, names: readonly string[], options: CompareOptions, rows: readonly ResultRow[] = readComparableRows(dir)): Comparison {
  const groups = selectGroups(rows, names, dir);
  if (names.length && groups.length < 2) throw new UserError(`compare needs two configurations at least; ${names.join(', ')} name ${groups.length}`);
  const loader = new RunLoader(dir);
  // Each configuration's runs and their resampling units, loaded and summed once for all the pairs it is in.
  const loaded = new Map<string, LoadedGroup>();
  const runsOf = (g: SeedGroup): LoadedGroup => {
    let group = loaded.get(g.key);
    if (!group) {
      const runs = g.runs.map((r) => loader.load(r, options.split));
      // Seeds of one configuration on another corpus version (a re-run after an edit) are not one configuration.
      checkSamePredictions(runs);
      group = { runs, units: runs.map((r) => splitUnits(r)) };
      loaded.set(g.key, group);
    }
    return group;
  };
  const pairs: PairResult[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < groups.length; i++) {
    for (let j = i + 1; j < groups.length; j++) {
      const a = runsOf(groups[i]!);
      const b = runsOf(groups[j]!);
      const why = incomparable(a.runs[0]!, b.runs[0]!, options.bitsPerCharacter);
      if (why) {
        if (names.length) throw new UserError(why);
        skipped.push(why);
        continue;
      }
      pairs.push(comparePair(groups[i]!, a, groups[j]!, b, options));
    }
  }
  return { pairs, skipped };
}

/** Why two runs cannot be compared under the options, or nothing. */
function incomparable(a: LoadedRun, b: LoadedRun, bitsPerCharacter: boolean): string | undefined {
  if (predictedSameTokens(a, b)) return undefined;
  if (scoredSameText(a, b)) return bitsPerCharacter ? undefined : vocabularyError(a, b);
  return tokenDifference(a, b);
}

/** A configuration's runs (one per seed) and each run's resampling units. */
interface LoadedGroup {
  readonly runs: readonly LoadedRun[];
  readonly units: readonly SplitUnits[];
}

function comparePair(groupA: SeedGroup, loadedA: LoadedGroup, groupB: SeedGroup, loadedB: LoadedGroup, options: CompareOptions): PairResult {
  const statistic: PairedStatistic = options.bitsPerCharacter ? 'bits-per-character' : 'perplexity';
  const { runs: a, units: unitsA } = loadedA;
  const { runs: b, units: unitsB } = loadedB;
  const block = unitsA[0]!.block;
  const denominators = statistic === 'perplexity' ? unitsA[0]!.tokens : totalByUnit(sentenceCharactersOf(a[0]!), block);
  const paired = pairedUnitBootstrap(
    { a: unitsA.map((u) => u.logprob), b: unitsB.map((u) => u.logprob), denominators, statistic },
    { resamples: options.resamples, ...(options.seed !== undefined ? { seed: options.seed } : {}) },
  );
  return {
    a: side(groupA, paired.a),
    b: side(groupB, paired.b),
    split: options.split,
    statistic,
    difference: paired.difference,
    ratio: paired.ratio,
    pValue: paired.pValue,
    significant: paired.pValue < SIGNIFICANCE_LEVEL,
    resamples: paired.resamples,
    unitSentences: block,
    ...(predictedSameTokens(a[0]!, b[0]!) ? { tally: seedTally(a, b) } : {}),
  };
}

/** Each target's frequency bucket, once per corpus token data (every pair on that corpus shares it). */
const BUCKETS = new WeakMap<Int32Array, Uint8Array>();
function bucketsOf(run: LoadedRun): Uint8Array {
  let buckets = BUCKETS.get(run.targets);
  if (!buckets) {
    buckets = Uint8Array.from(run.targets, (t) => frequencyBucket(t, run.corpus.trainCounts));
    BUCKETS.set(run.targets, buckets);
  }
  return buckets;
}

/** compare-ppls' tally summed over every pairing of A's seeds with B's (one pairing for single runs). */
function seedTally(a: readonly LoadedRun[], b: readonly LoadedRun[]): { overall: Tally; byBucket: BucketTally[] } {
  const bucketOf = bucketsOf(a[0]!);
  const bucketNames = FREQUENCY_BUCKETS.map((x) => x.name);
  const tallies = a.flatMap((ra) => b.map((rb) => tallyTokens(ra.logProbs, rb.logProbs, { bucketOf, bucketNames })));
  const add = (parts: readonly Tally[]): Tally => {
    const count = (k: 'better' | 'worse' | 'equal'): number => parts.reduce((n, p) => n + p[k], 0);
    return shares(count('better') + count('worse') + count('equal'), count('better'), count('worse'), count('equal'));
  };
  return {
    overall: add(tallies.map((t) => t.overall)),
    byBucket: bucketNames.map((bucket, i) => ({ bucket, ...add(tallies.map((t) => t.byBucket[i]!)) })),
  };
}
