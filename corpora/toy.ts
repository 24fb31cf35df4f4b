import type { Corpus } from './corpus.ts';

/**
 * The character-level corpora of the classic RNN lessons. Each is one sentence, used for train, valid
 * and test alike: the lesson is to fit it.
 */
export const TOY_TEXTS = {
  hihello: 'hihello',
  ship: "if you want to build a ship, don't drum up people together to collect wood and don't assign them tasks and work, but rather teach them to long for the endless immensity of the sea.",
} as const;

export type ToyName = keyof typeof TOY_TEXTS;

export function toyCorpus(name: ToyName): Corpus {
  const sentence = Array.from(TOY_TEXTS[name]);
  return { name, level: 'char', train: [sentence], valid: [sentence], test: [sentence], minCount: 1, source: name };
}
