import { UserError } from '../../errors/user-error.ts';

/**
 * How words are binned into classes by frequency (Mikolov et al. 2011, "Extensions of recurrent neural network
 * language model", §3; the RNNLM toolkit's `-class`): words sorted by training count are cut into consecutive
 * classes that each hold an equal share of the unigram mass (`unigram`) or of its square root (`sqrt`, the
 * toolkit's default since 0.3, which gives the frequent words fewer, larger classes and evens out the cost).
 */
export type ClassBinning = 'sqrt' | 'unigram';

/**
 * A partition of the vocabulary into classes, each a contiguous range of `order`: the words of class c are
 * `order[starts[c]] … order[starts[c + 1] − 1]`, most frequent first. The output layer stores its word rows in
 * this order, so one class's rows are one block of memory.
 */
export interface WordClasses {
  readonly vocabSize: number;
  readonly numClasses: number;
  /** Class of each word id. */
  readonly classOf: Int32Array;
  /** Word ids in class order (a permutation of 0 … |V| − 1). */
  readonly order: Int32Array;
  /** Index of each word id in `order`. */
  readonly positionOf: Int32Array;
  /** numClasses + 1 offsets into `order`; every class holds at least one word. */
  readonly starts: Int32Array;
}

/** The default number of classes for a vocabulary: about √|V| (Mikolov et al. 2011 find the speed-up largest there). */
export function defaultClassCount(vocabSize: number): number {
  return Math.max(1, Math.round(Math.sqrt(vocabSize)));
}

/** counts[w] = how often word w is a target in `tokens` (ids below vocabSize). */
export function targetCounts(tokens: Int32Array, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < tokens.length; i++) counts[tokens[i]!]!++;
  return counts;
}

/**
 * Frequency binning (Mikolov et al. 2011, §3): sort the words by count (ties by id), then walk them keeping the
 * running share F of the mass (of p_w, or of √p_w / Σ√p_v); word w joins the current class a and, once F passes
 * (a + 1) / C, the next word starts class a + 1. Unlike the toolkit, a class is also closed early when the words
 * left are only as many as the classes still to fill, so that every one of the C classes is used (C ≤ |V|) and
 * the layer's size depends on C alone.
 */
export function frequencyClasses(counts: ArrayLike<number>, numClasses: number, binning: ClassBinning): WordClasses {
  const V = counts.length;
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > V) {
    throw new UserError(`the number of classes must be an integer from 1 to the vocabulary size ${V}, got ${numClasses}`);
  }
  const C = numClasses;
  const order = Int32Array.from({ length: V }, (_, i) => i).sort((a, b) => counts[b]! - counts[a]! || a - b);
  let total = 0;
  for (let w = 0; w < V; w++) total += counts[w]!;
  const share = new Float64Array(V);
  for (let w = 0; w < V; w++) {
    const p = total > 0 ? counts[w]! / total : 1 / V;
    share[w] = binning === 'sqrt' ? Math.sqrt(p) : p;
  }
  let sum = 0;
  for (let w = 0; w < V; w++) sum += share[w]!;
  const starts = new Int32Array(C + 1);
  let a = 0;
  let F = 0;
  for (let i = 0; i < V; i++) {
    F += share[order[i]!]! / sum;
    const wordsLeft = V - i - 1;
    const classesLeft = C - 1 - a;
    if (a < C - 1 && wordsLeft > 0 && (F > (a + 1) / C || wordsLeft === classesLeft)) starts[++a] = i + 1;
  }
  starts[C] = V;
  return classesFromOrder(order, starts);
}

/** The classes given by their order and starts (as a checkpoint stores them), checked. */
export function classesFromOrder(order: Int32Array, starts: Int32Array): WordClasses {
  const V = order.length;
  const C = starts.length - 1;
  if (C < 1 || starts[0] !== 0 || starts[C] !== V) throw new UserError(`word classes: the class starts must run from 0 to ${V}`);
  for (let c = 0; c < C; c++) {
    if (starts[c + 1]! <= starts[c]!) throw new UserError(`word classes: class ${c} is empty or the starts are not increasing`);
  }
  const positionOf = new Int32Array(V).fill(-1);
  for (let i = 0; i < V; i++) {
    const w = order[i]!;
    if (!(w >= 0 && w < V) || positionOf[w] !== -1) throw new UserError('word classes: the order is not a permutation of the vocabulary');
    positionOf[w] = i;
  }
  const classOf = new Int32Array(V);
  for (let c = 0; c < C; c++) for (let i = starts[c]!; i < starts[c + 1]!; i++) classOf[order[i]!] = c;
  return { vocabSize: V, numClasses: C, classOf, order: Int32Array.from(order), positionOf, starts: Int32Array.from(starts) };
}
