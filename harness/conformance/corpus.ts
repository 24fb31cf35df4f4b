import type { Corpus } from '../../corpora/corpus.ts';
import { Random } from '../../numerics/random.ts';

/** Words of the synthetic language; the last few are rare, so that some fall below the count and the test has `<unk>`. */
const WORDS = 'the a cat dog sees eats runs sleeps big small red old fish bird tree house near under and then quietly often'.split(' ');

/**
 * A small word corpus made in code from a seed: sentences of a random sparse bigram language (each word has
 * a few likely successors), 160 / 24 / 24 sentences of 3 to 10 words. Small enough that every property can
 * train its own model in a moment, structured enough that a model learns something from it.
 */
export function conformanceCorpus(seed = 12): Corpus {
  const random = new Random(seed);
  const successors = WORDS.map(() => Array.from({ length: 4 }, () => random.int(WORDS.length)));
  const sentence = (): string[] => {
    const length = 3 + random.int(8);
    const words = [WORDS[random.int(WORDS.length)]!];
    while (words.length < length) {
      const previous = WORDS.indexOf(words.at(-1)!);
      words.push(random.float() < 0.8 ? WORDS[successors[previous]![random.int(4)]!]! : WORDS[random.int(WORDS.length)]!);
    }
    return words;
  };
  const split = (n: number): string[][] => Array.from({ length: n }, sentence);
  return { name: 'conformance', level: 'word', train: split(160), valid: split(24), test: split(24), minCount: 2, source: `synthetic (seed ${seed})` };
}
