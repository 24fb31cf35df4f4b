import { UserError } from '../../errors/user-error.ts';
import type { LoadedRun } from './runs.ts';
import { describeRun } from './select.ts';

function sameArray(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether two runs predicted the same tokens: the same protocol, and the same targets of the split. */
export function predictedSameTokens(a: LoadedRun, b: LoadedRun): boolean {
  return a.row.mode === b.row.mode && a.split === b.split && (a.row.corpusId === b.row.corpusId || sameArray(a.targets, b.targets));
}

/**
 * Whether two runs scored the same text (the split's text hash and sentence count agree), whatever their
 * vocabularies or tokenisations: such runs compare in bits per character, not in word perplexity.
 */
export function scoredSameText(a: LoadedRun, b: LoadedRun): boolean {
  if (a.row.mode !== b.row.mode || a.split !== b.split) return false;
  const hash = (r: LoadedRun): string | undefined => (r.split === 'test' ? r.corpus.meta.testTextSha256 : r.corpus.meta.validTextSha256);
  const sentences = (r: LoadedRun): number | undefined => (r.split === 'test' ? r.corpus.meta.testSentences : r.corpus.meta.validSentences);
  return hash(a) !== undefined && hash(a) === hash(b) && sentences(a) === sentences(b);
}

/** What differs between two runs that did not predict the same tokens, in words ("their corpus and protocol"). */
export function tokenDifference(a: LoadedRun, b: LoadedRun): string {
  const differs: string[] = [];
  if (a.row.corpusId !== b.row.corpusId && !sameArray(a.targets, b.targets)) {
    differs.push(scoredSameText(a, b) || a.corpus.meta.testTextSha256 === b.corpus.meta.testTextSha256 ? 'vocabulary or tokenisation' : 'corpus');
  }
  if (a.row.mode !== b.row.mode) differs.push('protocol');
  if (a.split !== b.split) differs.push('split');
  const what = differs.length ? differs.join(' and ') : 'predicted tokens';
  return `${describeRun(a.row)} (${a.row.corpusId}, ${a.targets.length} tokens) and ${describeRun(b.row)} (${b.row.corpusId}, ${b.targets.length} tokens) did not predict the same tokens: their ${what} differ`;
}

/** A UserError saying what differs unless every run predicted the same tokens as the first. */
export function checkSamePredictions(runs: readonly LoadedRun[]): void {
  const first = runs[0];
  if (!first) return;
  for (const run of runs.slice(1)) if (!predictedSameTokens(first, run)) throw new UserError(tokenDifference(first, run));
}
