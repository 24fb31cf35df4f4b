import { UNK_ID } from '../../corpora/vocabulary.ts';
import type { ResultRow } from '../experiment/results.ts';
import type { VocabularySource } from '../experiment/token-files.ts';
import type { ReportData } from './data.ts';
import { grouped } from './table.ts';

const percent = (part: number, whole: number): string => `${(whole > 0 ? (100 * part) / whole : 0).toFixed(2)}%`;

/** The vocabulary rule in words: what every perplexity of the corpus is conditioned on. */
export function vocabularyRule(v: VocabularySource): string {
  const [one, many] = v.level === 'char' ? ['character', 'characters'] : ['word', 'words'];
  const seen = v.minCount <= 1 ? `every ${one}` : `the ${many} seen at least ${v.minCount} times`;
  const text =
    v.from === 'whole-train' ? `the whole train split (${grouped(v.tokens)} ${many}), before the slice was cut` : `the ${grouped(v.tokens)} training ${many}`;
  return `${seen} in ${text}; the others are <unk>`;
}

/**
 * One sentence per corpus of the latest runs: its split sizes in predicted tokens (each sentence's `</s>`
 * included, as perplexities count them), the `<unk>` rate of each split, and its vocabulary and rule.
 */
export function corpusDescriptions(data: ReportData): string[] {
  const first = new Map<string, ResultRow>();
  for (const r of data.ok) if (!first.has(r.corpusId)) first.set(r.corpusId, r);
  return [...first.values()].map((r) => {
    const tokens = data.corpora.get(r.corpusId);
    const split = (name: string, n: number | null, unk: number | null): string =>
      n === null ? '' : `${name} ${grouped(n)} tokens${unk === null ? '' : ` (${percent(unk, n)} <unk>)`}`;
    const train = tokens ? split('train', tokens.meta.trainTokens, tokens.trainCounts[UNK_ID]!) : '';
    const splits = [train, split('valid', r.validTokens, r.validUnk), split('test', r.testTokens, r.testUnk)].filter(Boolean).join(', ');
    const vocabulary = r.vocabSize === null ? '' : `; vocabulary ${grouped(r.vocabSize)} types with <unk> <s> </s>`;
    const rule = tokens?.meta.vocabulary ? `: ${vocabularyRule(tokens.meta.vocabulary)}` : '';
    return `${r.corpus}: ${splits}${vocabulary}${rule}.`;
  });
}
