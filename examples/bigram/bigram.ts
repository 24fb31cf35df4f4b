/**
 * An add-one (Laplace) bigram language model as an external plug-in, written against perplexity-bench's public
 * API only: P(w | v) = (c(v, w) + 1) / (c(v) + |V′|), V′ = every id but `<s>` (never predicted).
 *
 *     npx perplexity-bench check ./bigram.ts
 *     npx perplexity-bench train --plugin ./bigram.ts --model bigram --corpus brown
 */
import {
  BOS_ID,
  type CheckpointData,
  definePlugin,
  EOS_ID,
  type LanguageModel,
  type Scorer,
  type TrainingData,
  type TrainReport,
  UserError,
  type Vocabulary,
  z,
} from 'perplexity-bench';

/** Counts in compressed rows: the successors of `v` are `next[rowStart[v] .. rowStart[v + 1])`, ascending, with their counts. */
interface Counts {
  readonly rowStart: Int32Array;
  readonly next: Int32Array;
  readonly count: Float64Array;
  /** c(v): how often `v` is a history. */
  readonly total: Float64Array;
}

function countBigrams(data: TrainingData, size: number): Counts {
  const pairs = new Map<number, number>();
  const add = (v: number, w: number): void => {
    pairs.set(v * size + w, (pairs.get(v * size + w) ?? 0) + 1);
  };
  const { tokens, starts } = data.train;
  let previous = BOS_ID;
  for (let s = 0; s < starts.length - 1; s++) {
    // Sentence mode: every sentence starts from <s>; stream mode: the history crosses the sentence end.
    if (data.mode === 'sentence') previous = BOS_ID;
    for (let i = starts[s]!; i < starts[s + 1]!; i++) {
      add(previous, tokens[i]!);
      previous = tokens[i]!;
    }
    add(previous, EOS_ID);
    previous = EOS_ID;
  }
  const keys = [...pairs.keys()].sort((a, b) => a - b);
  const rowStart = new Int32Array(size + 1);
  const next = new Int32Array(keys.length);
  const count = new Float64Array(keys.length);
  const total = new Float64Array(size);
  keys.forEach((key, i) => {
    const v = Math.floor(key / size);
    next[i] = key - v * size;
    count[i] = pairs.get(key)!;
    rowStart[v + 1]!++;
    total[v]! += count[i]!;
  });
  for (let v = 0; v < size; v++) rowStart[v + 1]! += rowStart[v]!;
  return { rowStart, next, count, total };
}

export class BigramModel implements LanguageModel {
  readonly plugin: string = 'bigram';
  readonly hyperParameters = {};
  private counts: Counts;

  constructor(
    readonly vocab: Vocabulary,
    counts?: Counts,
  ) {
    this.counts = counts ?? {
      rowStart: new Int32Array(vocab.size + 1),
      next: new Int32Array(0),
      count: new Float64Array(0),
      total: new Float64Array(vocab.size),
    };
  }

  /** What the counts after a history are divided by: every predictable id gets one more. */
  protected denominator(total: number): number {
    return total + this.vocab.size - 1;
  }

  async train(data: TrainingData): Promise<TrainReport> {
    const started = performance.now();
    this.counts = countBigrams(data, this.vocab.size);
    return {
      tokensTrained: data.train.tokens.length + data.train.starts.length - 1,
      seconds: (performance.now() - started) / 1000,
      epochs: [],
      stoppedBy: 'done',
    };
  }

  scorer(): Scorer {
    const { rowStart, next, count, total } = this.counts;
    const size = this.vocab.size;
    let previous = BOS_ID;
    const probability = (w: number): number => {
      if (w === BOS_ID) return 0;
      let c = 0;
      for (let i = rowStart[previous]!; i < rowStart[previous + 1]!; i++) if (next[i] === w) c = count[i]!;
      return (c + 1) / this.denominator(total[previous]!);
    };
    return {
      vocabSize: size,
      reset: () => {
        previous = BOS_ID;
      },
      feed: (token) => {
        previous = token;
      },
      logProb: (w) => Math.log(probability(w)),
      distribution: (out) => {
        const d = this.denominator(total[previous]!);
        out.fill(1 / d);
        out[BOS_ID] = 0;
        for (let i = rowStart[previous]!; i < rowStart[previous + 1]!; i++) out[next[i]!] = (count[i]! + 1) / d;
      },
    };
  }

  /** The stored counts and history totals (every other pair's probability follows from them). */
  parameterCount(): number {
    return this.counts.count.length + this.counts.total.length;
  }

  byteSize(): number {
    const { rowStart, next, count, total } = this.counts;
    return rowStart.byteLength + next.byteLength + count.byteLength + total.byteLength;
  }

  toCheckpoint(): CheckpointData {
    const { rowStart, next, count, total } = this.counts;
    return { plugin: this.plugin, hyperParameters: this.hyperParameters, vocabulary: this.vocab.words, meta: null, arrays: { rowStart, next, count, total } };
  }
}

/** The counts of a checkpoint, checked against its vocabulary. */
export function countsOf(data: CheckpointData, vocab: Vocabulary): Counts {
  const { rowStart, next, count, total } = data.arrays;
  if (!(rowStart instanceof Int32Array && next instanceof Int32Array && count instanceof Float64Array && total instanceof Float64Array)) {
    throw new UserError('bigram checkpoint: rowStart, next, count or total is missing or of the wrong type');
  }
  if (rowStart.length !== vocab.size + 1 || total.length !== vocab.size || next.length !== count.length) {
    throw new UserError('bigram checkpoint: its arrays do not match its vocabulary');
  }
  return { rowStart, next, count, total };
}

export default definePlugin({
  name: 'bigram',
  family: 'bigram',
  familyLabel: 'add-one bigram',
  description: 'Add-one (Laplace) bigram model: an external plug-in written against the public API.',
  schema: z.strictObject({}),
  contextLength: () => 1,
  create: (_hp, vocab) => new BigramModel(vocab),
  fromCheckpoint: (data, _hp, vocab) => new BigramModel(vocab, countsOf(data, vocab)),
});
