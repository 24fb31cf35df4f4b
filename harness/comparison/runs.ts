import { join } from 'node:path';
import { EOS_ID } from '../../corpora/vocabulary.ts';
import { UserError } from '../../errors/user-error.ts';
import { latestRuns } from '../experiment/configuration.ts';
import { RESULTS_FILE, readResults, type ResultRow } from '../experiment/results.ts';
import { type CorpusTokens, readCorpusTokens, readRunTokens, type ScoredSplit } from '../experiment/token-files.ts';
import { sumByUnit, totalByUnit, unitSentences } from '../statistics/units.ts';
import { describeRun } from './select.ts';

/** A run with what a comparison or a mixture needs of one split: its per-token ln p and its corpus's tokens. */
export interface LoadedRun {
  readonly row: ResultRow;
  readonly split: ScoredSplit;
  readonly corpus: CorpusTokens;
  /** ln p of every predicted token of the split, in protocol order. */
  readonly logProbs: Float32Array;
  /** The predicted targets of the split (each `</s>` ends a sentence). */
  readonly targets: Int32Array;
}

/** The successful latest runs of a results folder (as the report shows them); an error when it has no results. */
export function readComparableRows(dir: string): ResultRow[] {
  const { rows } = readResults(dir);
  if (!rows.length) throw new UserError(`${join(dir, RESULTS_FILE)}: no results; run an experiment first (run CONFIG --out ${dir})`);
  return latestRuns(rows).latest.filter((r) => r.status === 'ok');
}

/** Loads runs of one folder, reading each corpus's token data once. */
export class RunLoader {
  private readonly corpora = new Map<string, CorpusTokens | undefined>();

  constructor(readonly dir: string) {}

  corpus(corpusId: string): CorpusTokens | undefined {
    if (!this.corpora.has(corpusId)) this.corpora.set(corpusId, readCorpusTokens(this.dir, corpusId));
    return this.corpora.get(corpusId);
  }

  /** One split of a run; a UserError naming the run and the file when something is missing or does not fit. */
  load(row: ResultRow, split: ScoredSplit): LoadedRun {
    const corpus = this.corpus(row.corpusId);
    const name = `${describeRun(row)}, run ${row.id}`;
    if (!corpus) throw new UserError(`${name}: the token data of corpus ${row.corpusId} are missing from ${join(this.dir, 'corpora')}`);
    const targets = split === 'test' ? corpus.testTargets : corpus.validTargets;
    if (!targets) {
      throw new UserError(`${name}: ${join(this.dir, 'corpora', `${row.corpusId}.json`)} has no valid targets (written before 1.1); rerun the experiment`);
    }
    const logProbs = readRunTokens(this.dir, row.id, targets.length, split);
    if (typeof logProbs === 'string') throw new UserError(`${name}: ${logProbs}`);
    return { row, split, corpus, logProbs, targets };
  }
}

/** Tokens of each sentence (its words and its `</s>`) from a split's predicted targets. */
export function sentenceLengthsOf(targets: Int32Array): Int32Array {
  const lengths: number[] = [];
  let n = 0;
  for (let t = 0; t < targets.length; t++) {
    n++;
    if (targets[t] === EOS_ID) {
      lengths.push(n);
      n = 0;
    }
  }
  // Targets always end in `</s>`; a tail without one would be a truncated file: count it as a sentence all the same.
  if (n) lengths.push(n);
  return Int32Array.from(lengths);
}

/** The characters of each sentence of the run's split (corpus token file version 2), for bits per character. */
export function sentenceCharactersOf(run: LoadedRun): Int32Array {
  const characters = run.split === 'test' ? run.corpus.testSentenceCharacters : run.corpus.validSentenceCharacters;
  if (!characters) throw new UserError(`${describeRun(run.row)}: its corpus token file has no characters per sentence (written before 1.1)`);
  return characters;
}

/** The resampling units of a run's split: sentences in sentence mode, blocks of sentences in stream mode. */
export interface SplitUnits {
  /** Tokens of each sentence of this run's split. */
  readonly sentenceLengths: Int32Array;
  /** Sentences a unit (`unitSentences`). */
  readonly block: number;
  /** Σ ln p of each unit. */
  readonly logprob: Float64Array;
  /** Predicted tokens of each unit. */
  readonly tokens: Float64Array;
}

/** A run's split cut into its resampling units, as harness/statistics/bootstrap.ts cuts it for one run's interval. */
export function splitUnits(run: LoadedRun, blockSentences?: number): SplitUnits {
  const sentenceLengths = sentenceLengthsOf(run.targets);
  const block = unitSentences(run.row.mode === 'stream' ? 'stream' : 'sentence', sentenceLengths.length, blockSentences);
  return { sentenceLengths, block, logprob: sumByUnit(run.logProbs, sentenceLengths, block), tokens: totalByUnit(sentenceLengths, block) };
}
