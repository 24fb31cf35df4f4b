import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors/user-error.ts';
import { EOS_ID, UNK_ID } from '../../corpora/vocabulary.ts';
import { latestRuns } from '../experiment/configuration.ts';
import { RESULTS_FILE, readResults, type CurveRow, type ResultRow } from '../experiment/results.ts';
import { readCorpusTokens, readRunTokens, type CorpusTokens } from '../experiment/token-files.ts';

/**
 * Target-word frequency buckets: how often the word was seen in training. A vocabulary counted on more text
 * than the training split (a slice keeping its whole corpus's vocabulary) has words seen 0 times.
 */
export const FREQUENCY_BUCKETS = [
  { name: '<unk>', min: -1, max: -1 },
  { name: '0', min: 0, max: 0 },
  { name: '1–3', min: 1, max: 3 },
  { name: '4–10', min: 4, max: 10 },
  { name: '11–100', min: 11, max: 100 },
  { name: '101–1000', min: 101, max: 1000 },
  { name: '1000+', min: 1001, max: Infinity },
  { name: '</s>', min: -2, max: -2 },
] as const;

/** Positions 1 … 19 each, then everything from the 20th token of a sentence on. */
export const POSITION_CAP = 20;

export interface Breakdown {
  /** Bucket name, as on the chart's axis. */
  readonly bucket: string;
  /** Predicted test tokens in the bucket (over every seed of the run). */
  readonly tokens: number;
  /** Σ ln p of those tokens. */
  readonly logprob: number;
}

export interface RunTokens {
  readonly byFrequency: readonly Breakdown[];
  readonly byPosition: readonly Breakdown[];
}

export interface ReportData {
  readonly dir: string;
  /** The latest run of each configuration (see configurationKey), in the order of results.csv. */
  readonly rows: readonly ResultRow[];
  /** Runs of results.csv with a later run of the same configuration: in the table, not on the charts. */
  readonly superseded: readonly ResultRow[];
  readonly ok: readonly ResultRow[];
  readonly failed: readonly ResultRow[];
  /** The token data of each corpus the latest runs used, by corpus id (absent when its files are missing). */
  readonly corpora: ReadonlyMap<string, CorpusTokens>;
  readonly curves: readonly CurveRow[];
  /** Per-token breakdowns of the test perplexity, by run id (absent when the run's files are missing). */
  readonly tokens: ReadonlyMap<string, RunTokens>;
  /** Runs left out of the per-token charts, and why. */
  readonly warnings: readonly string[];
}

/** Index in FREQUENCY_BUCKETS of a target token, by its training count. */
export function frequencyBucket(target: number, counts: Uint32Array): number {
  if (target === UNK_ID) return 0;
  if (target === EOS_ID) return FREQUENCY_BUCKETS.length - 1;
  const c = counts[target]!;
  for (let b = 1; b < FREQUENCY_BUCKETS.length - 1; b++) if (c <= FREQUENCY_BUCKETS[b]!.max) return b;
  return FREQUENCY_BUCKETS.length - 2;
}

/** Split one run's per-token log-probabilities by the target's training frequency and its sentence position. */
export function breakDown(corpus: CorpusTokens, logProbs: Float32Array): RunTokens {
  const fTokens = new Float64Array(FREQUENCY_BUCKETS.length);
  const fSum = new Float64Array(FREQUENCY_BUCKETS.length);
  const pTokens = new Float64Array(POSITION_CAP);
  const pSum = new Float64Array(POSITION_CAP);
  const { testTargets, trainCounts } = corpus;
  let position = 0;
  for (let i = 0; i < testTargets.length; i++) {
    const target = testTargets[i]!;
    const lp = logProbs[i]!;
    const f = frequencyBucket(target, trainCounts);
    fTokens[f]!++;
    fSum[f]! += lp;
    const p = Math.min(position, POSITION_CAP - 1);
    pTokens[p]!++;
    pSum[p]! += lp;
    position = target === EOS_ID ? 0 : position + 1;
  }
  const byFrequency = FREQUENCY_BUCKETS.map((b, i) => ({ bucket: b.name, tokens: fTokens[i]!, logprob: fSum[i]! }));
  const byPosition = Array.from({ length: POSITION_CAP }, (_, i) => ({
    bucket: i === POSITION_CAP - 1 ? `${POSITION_CAP}+` : String(i + 1),
    tokens: pTokens[i]!,
    logprob: pSum[i]!,
  }));
  return { byFrequency, byPosition };
}

/** Read everything a report shows from a results folder, and nothing else. */
export function loadReportData(dir: string): ReportData {
  if (!existsSync(join(dir, RESULTS_FILE))) {
    throw new UserError(`${join(dir, RESULTS_FILE)}: not found; run an experiment first (run CONFIG --out ${dir})`);
  }
  const { rows: all, curves } = readResults(dir);
  const { latest: rows, superseded } = latestRuns(all);
  const ok = rows.filter((r) => r.status === 'ok');
  const corpora = new Map<string, CorpusTokens | undefined>();
  const tokens = new Map<string, RunTokens>();
  const warnings: string[] = [];
  for (const row of ok) {
    if (!corpora.has(row.corpusId)) corpora.set(row.corpusId, readCorpusTokens(dir, row.corpusId));
    const corpus = corpora.get(row.corpusId);
    const lp = corpus ? readRunTokens(dir, row.id, corpus.meta.testTokens) : `the token data of corpus ${row.corpusId} are missing`;
    if (typeof lp === 'string') warnings.push(`${row.label} (${row.corpus}, seed ${row.seed}) left out of the per-token charts: ${lp}`);
    else tokens.set(row.id, breakDown(corpus!, lp));
  }
  const found = new Map([...corpora].filter((e): e is [string, CorpusTokens] => e[1] !== undefined));
  return { dir, rows, superseded, ok, failed: rows.filter((r) => r.status === 'failed'), corpora: found, curves, tokens, warnings };
}
