import { type Corpus, encodeCorpus } from '../../corpora/corpus.ts';
import { RESULT_COLUMNS, type ResultRow, writeResults } from '../../harness/experiment/results.ts';
import { predictedTargets, writeCorpusTokens, writeRunTokens } from '../../harness/experiment/token-files.ts';
import { Random } from '../../numerics/random.ts';

/** A corpus of `sentences` sentences of 2–9 words from a vocabulary of 30, the same text for the same seed. */
export function textCorpus(options: { seed: number; sentences: number; minCount?: number; level?: 'word' | 'char' }): Corpus {
  const random = new Random(options.seed);
  const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const sentence = (): string[] => Array.from({ length: 2 + random.int(8) }, () => words[Math.min(random.int(30), random.int(30))]!);
  const split = (): string[][] => Array.from({ length: options.sentences }, sentence);
  const train = split();
  const valid = split();
  const test = split();
  const level = options.level ?? 'word';
  // The char-level corpus reads the same text as characters: each word's letters, a space between words.
  const chars = (s: string[][]): string[][] => s.map((x) => [...x.join(' ')]);
  return {
    name: 'fixture-text',
    level,
    train: level === 'char' ? chars(train) : train,
    valid: level === 'char' ? chars(valid) : valid,
    test: level === 'char' ? chars(test) : test,
    minCount: options.minCount ?? 1,
    source: 'fixture',
  };
}

export interface FixtureRun {
  readonly id: string;
  readonly label: string;
  readonly corpusId: string;
  readonly seed?: number;
  readonly mode?: 'sentence' | 'stream';
  readonly family?: string;
  /** ln p of token t of the split, given its target id and the index of its sentence. */
  readonly logProb: (t: number, target: number, sentence: number, split: 'valid' | 'test') => number;
}

/** A results row with every measurement empty but the ones a comparison reads. */
function row(run: FixtureRun, cell: number): ResultRow {
  const empty = Object.fromEntries(RESULT_COLUMNS.map((c) => [c.key, null])) as Record<string, unknown>;
  return {
    ...empty,
    experiment: 'fixture',
    cell,
    id: run.id,
    status: 'ok',
    error: '',
    corpus: run.corpusId,
    corpusId: run.corpusId,
    model: run.label.split(' ')[0]!,
    family: run.family ?? 'ngram',
    familyLabel: '',
    contextParameter: '',
    label: run.label,
    hyperParameters: '{}',
    seed: run.seed ?? 1,
    mode: run.mode ?? 'sentence',
    budget: '{}',
    stoppedBy: '',
    gitCommit: '',
    nodeVersion: '',
    cpuModel: '',
    kernels: '',
    date: '2026-01-01T00:00:00.000Z',
  } as ResultRow;
}

/** Write corpora and runs into `dir` as an experiment would: results.csv, runs/ID.{valid,test}.f32, corpora/. */
export function writeComparisonFolder(dir: string, corpora: Readonly<Record<string, Corpus>>, runs: readonly FixtureRun[]): void {
  const encoded = Object.fromEntries(
    Object.entries(corpora).map(([id, text]) => {
      const corpus = encodeCorpus(text);
      writeCorpusTokens(dir, id, corpus, text);
      return [id, corpus];
    }),
  );
  runs.forEach((run) => {
    const corpus = encoded[run.corpusId]!;
    for (const split of ['valid', 'test'] as const) {
      const targets = predictedTargets(corpus[split]);
      const lp = new Float64Array(targets.length);
      let sentence = 0;
      for (let t = 0; t < targets.length; t++) {
        lp[t] = run.logProb(t, targets[t]!, sentence, split);
        if (targets[t] === 2) sentence++;
      }
      writeRunTokens(dir, run.id, lp, split);
    }
  });
  writeResults(dir, { rows: runs.map(row), curves: [] });
}
