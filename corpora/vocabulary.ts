import { UserError } from '../errors/user-error.ts';

/** Special tokens, with the ids KenLM gives them. */
export const UNK = '<unk>';
export const BOS = '<s>';
export const EOS = '</s>';
export const UNK_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const SPECIALS: readonly string[] = [UNK, BOS, EOS];

/**
 * A closed vocabulary: ids 0..size-1, specials first. Built from the training split only;
 * words outside it map to `<unk>`, and a literal `<unk>` in the text is that same token.
 */
export class Vocabulary {
  readonly words: readonly string[];
  private readonly index: Map<string, number>;

  constructor(words: readonly string[]) {
    for (let i = 0; i < SPECIALS.length; i++) {
      if (words[i] !== SPECIALS[i]) {
        throw new Error(`vocabulary must start with ${SPECIALS.join(' ')}; got ${words.slice(0, 3).join(' ')}`);
      }
    }
    this.words = words;
    this.index = new Map();
    words.forEach((w, i) => {
      if (this.index.has(w)) throw new Error(`vocabulary has "${w}" twice`);
      this.index.set(w, i);
    });
  }

  get size(): number {
    return this.words.length;
  }

  /** The id of a word; words outside the vocabulary are `<unk>`. */
  id(word: string): number {
    return this.index.get(word) ?? UNK_ID;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  word(id: number): string {
    const w = this.words[id];
    if (w === undefined) throw new RangeError(`token id ${id} is outside the vocabulary (size ${this.size})`);
    return w;
  }

  /**
   * Build from training sentences: every word seen at least `minCount` times gets an id, the others
   * become `<unk>`. Ids are ordered by descending count, ties by first appearance, so the same text
   * always gives the same ids.
   */
  static build(sentences: Iterable<readonly string[]>, minCount = 1): Vocabulary {
    if (!Number.isInteger(minCount) || minCount < 1) {
      throw new UserError(`--min-count must be an integer ≥ 1, got ${minCount}`);
    }
    const counts = new Map<string, number>();
    for (const s of sentences) for (const w of s) counts.set(w, (counts.get(w) ?? 0) + 1);
    const kept: [string, number, number][] = [];
    let order = 0;
    for (const [w, c] of counts) {
      order++;
      if (c >= minCount && !SPECIALS.includes(w)) kept.push([w, c, order]);
    }
    kept.sort((a, b) => b[1] - a[1] || a[2] - b[2]);
    return new Vocabulary([...SPECIALS, ...kept.map(([w]) => w)]);
  }
}
