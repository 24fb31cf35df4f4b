import type { Corpus } from '../../corpora/corpus.ts';
import { loadCorpus } from '../../corpora/load.ts';
import { resolveCorpusSpec, type CorpusEntry } from './config.ts';
import type { VocabularySource } from './token-files.ts';

/** The first sentences of a split, up to `words` words (at least one sentence). */
function firstWords(sentences: Corpus['train'], words: number | undefined): Corpus['train'] {
  if (words === undefined) return sentences;
  let n = 0;
  let i = 0;
  while (i < sentences.length && (i === 0 || n + sentences[i]!.length <= words)) n += sentences[i++]!.length;
  return sentences.slice(0, i);
}

/**
 * A corpus as an experiment names it: `loadCorpus` with the entry's options (paths relative to the config's
 * folder), cut to the entry's word limits. The vocabulary is then built from the cut train split, or from
 * the whole train split with `vocabularyFrom: "whole-train"`.
 */
export function loadExperimentCorpus(entry: CorpusEntry, baseDir: string): Corpus {
  const corpus = loadCorpus(resolveCorpusSpec(entry.spec, baseDir), {
    ...(entry.level !== undefined ? { level: entry.level } : {}),
    ...(entry.minCount !== undefined ? { minCount: entry.minCount } : {}),
    ...(entry.fractions !== undefined ? { fractions: entry.fractions } : {}),
  });
  return {
    ...corpus,
    name: entry.label ?? corpus.name,
    train: firstWords(corpus.train, entry.trainWords),
    valid: firstWords(corpus.valid, entry.validWords),
    test: firstWords(corpus.test, entry.testWords),
    ...(entry.vocabularyFrom === 'whole-train' ? { vocabularySentences: corpus.train } : {}),
  };
}

/** How the vocabulary of a corpus `loadExperimentCorpus` made is built, for the report to state. */
export function vocabularySource(corpus: Corpus): VocabularySource {
  const counted = corpus.vocabularySentences ?? corpus.train;
  return {
    level: corpus.level,
    minCount: corpus.minCount,
    from: corpus.vocabularySentences ? 'whole-train' : 'kept-train',
    tokens: counted.reduce((n, s) => n + s.length, 0),
  };
}
