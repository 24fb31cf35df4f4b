import { EOS_ID } from '../../corpora/vocabulary.ts';
import { UserError } from '../../errors/user-error.ts';
import { latestRuns } from '../experiment/configuration.ts';
import type { ResultRow } from '../experiment/results.ts';
import { type CorpusTokens, readCorpusTokens, readRunTokens, type ScoredSplit } from '../experiment/token-files.ts';

/*
 * Picking runs of a results folder and loading their per-token files, for `mix` and the experiments' mixtures.
 * (Until the shared run-loading layer of `compare`, harness/comparison/, is on main: then this file goes.)
 */

/** The runs a user named, by id or by label (a label among the latest runs of each configuration), in the order given. */
export function pickRuns(rows: readonly ResultRow[], names: readonly string[], dir: string): ResultRow[] {
  const { latest } = latestRuns(rows);
  return names.map((name) => {
    const byId = rows.find((r) => r.id === name);
    if (byId) return byId;
    const byLabel = latest.filter((r) => r.label === name);
    if (byLabel.length === 1) return byLabel[0]!;
    if (byLabel.length > 1) {
      throw new UserError(`"${name}" names ${byLabel.length} runs in ${dir}/results.csv (${byLabel.map((r) => r.id).join(', ')}): give their ids`);
    }
    throw new UserError(`no run "${name}" in ${dir}/results.csv (give a run's id or label; \`report --out ${dir}\` lists them)`);
  });
}

/** The predicted tokens of each sentence of a split, from its targets in protocol order (each `</s>` ends one). */
export function sentenceLengthsOfTargets(targets: Int32Array): Int32Array {
  const lengths: number[] = [];
  let start = 0;
  for (let t = 0; t < targets.length; t++) {
    if (targets[t] === EOS_ID) {
      lengths.push(t + 1 - start);
      start = t + 1;
    }
  }
  return Int32Array.from(lengths);
}

/** Runs' per-token ln p of one split, after checking that they predicted the same tokens (else a UserError saying what differs). */
export interface SameTokenRuns {
  readonly corpus: CorpusTokens;
  readonly valid: readonly Float32Array[];
  readonly test: readonly Float32Array[];
}

export function loadSameTokenRuns(dir: string, runs: readonly ResultRow[], what: string): SameTokenRuns {
  const first = runs[0];
  if (!first) throw new UserError(`${what}: no runs`);
  for (const r of runs) {
    if (r.status !== 'ok') throw new UserError(`${what}: the run ${r.id} (${r.label}) failed: ${r.error}`);
    const differs =
      r.corpusId !== first.corpusId
        ? `corpus ${first.corpusId} against ${r.corpusId}`
        : r.mode !== first.mode
          ? `protocol ${first.mode} against ${r.mode}`
          : undefined;
    if (differs) throw new UserError(`${what}: ${first.label} (${first.id}) and ${r.label} (${r.id}) did not predict the same tokens: ${differs}`);
  }
  const corpus = readCorpusTokens(dir, first.corpusId);
  if (!corpus?.validTargets)
    throw new UserError(`${what}: ${dir}/corpora/${first.corpusId}.json is missing or older than version 2 (run the experiment again)`);
  const load = (split: ScoredSplit, tokens: number): Float32Array[] =>
    runs.map((r) => {
      const t = readRunTokens(dir, r.id, tokens, split);
      if (typeof t === 'string') throw new UserError(`${what}: ${r.label} (${r.id}): ${t}`);
      return t;
    });
  return { corpus, valid: load('valid', corpus.validTargets.length), test: load('test', corpus.testTargets.length) };
}
