import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import type { Scorer } from '../types.ts';
import type { RecurrentWorkspace } from '../../numerics/recurrent/workspace.ts';
import type { RecurrentNetwork } from './network.ts';
import { OwnedArrays, releaseWhenCollected } from '../../numerics/owned-arrays.ts';
import { planBatches, type SentenceBatch } from './sentence-batches.ts';

/**
 * Positions per piece of `scoreSequence`: its buffers are sized for this many, whatever the sequence's
 * length, so one 800,000-word line costs what a sentence does; 256 rows keep the output layer's product as
 * fast as a whole sentence's (Brown's longest has 180 words).
 */
export const SCORING_ROWS = 256;

/**
 * Time steps × sentences of one batch of `scoreSentences` (its recurrence workspace, inputs and gathered
 * states are sized for this many rows, whatever it is handed) and the most sentences in one batch. 2,048
 * rows hold 64 sentences of Brown's median length (about 21 words) or 11 of its longest; a step's recurrent
 * product of 64 rows runs the matrix kernel near its full rate, where one row (scoring sentence by sentence)
 * runs it at a small fraction.
 */
export const BATCH_ROWS = 2048;
export const MAX_BATCH = 64;
/** With one-hot inputs (a row is |V| wide) the batch's input rows are limited to about this many values. */
const BATCH_INPUT_VALUES = 2 ** 21;

/**
 * Carries the recurrent state token by token (evaluation mode: no dropout). `reset` returns to the state
 * after `<s>` (from zero, as training starts every sentence), computed once when the scorer is made.
 * `scoreSequence` runs the recurrence over up to `SCORING_ROWS` tokens, then the output layer as one
 * product, piece after piece with the state carried. `scoreSentences` runs many sentences as one batch
 * through the recurrence (time-major, sorted by length, padded to the longest of the batch) and then the
 * output layer once over all their real positions. Every output-layer computation goes through the
 * network's `scoreTargets` and `logDistribution`.
 */
export class RecurrentScorer implements Scorer {
  readonly vocabSize: number;
  private readonly ws: RecurrentWorkspace;
  /** Current state (L, 1, H), and the state after `<s>`. */
  private readonly h: FloatArray;
  private readonly c: FloatArray;
  private readonly startH: FloatArray;
  private readonly startC: FloatArray;
  /** ln P(· | history), valid when `fresh`. */
  private readonly logProbs = new Float64Array(0);
  private fresh = false;
  private readonly one = new Int32Array(1);
  // Buffers for sequences, grown as needed up to the rows of a batch.
  private capacity = 0;
  private x: FloatArray;
  private hidden: FloatArray;
  private readonly targets: Int32Array;
  private readonly scores: Float64Array;
  /** Batches: the start state for B sentences ((L, B, H)), and the ids fed (T × B). */
  private batchStartH: FloatArray;
  private batchStartC: FloatArray;
  private readonly batchIds: Int32Array;
  /** T × B of a batch of `scoreSentences`. */
  readonly batchRows: number;
  private readonly fixed: OwnedArrays;
  private readonly growing: OwnedArrays;

  constructor(private readonly net: RecurrentNetwork) {
    const { hiddenSize: H, numLayers: L, vocabSize: V } = net.shape;
    this.vocabSize = V;
    this.ws = net.layer.createWorkspace();
    this.fixed = new OwnedArrays(net.dtype);
    this.growing = new OwnedArrays(net.dtype);
    releaseWhenCollected(this, [this.fixed, this.growing, this.ws.arrays]);
    const allocate = (n: number): FloatArray => this.fixed.take(n);
    this.h = allocate(L * H);
    this.c = allocate(L * H);
    this.startH = allocate(L * H);
    this.startC = allocate(L * H);
    this.logProbs = new Float64Array(V);
    this.batchRows = Math.max(SCORING_ROWS, Math.min(BATCH_ROWS, Math.floor(BATCH_INPUT_VALUES / net.inputSize)));
    // A batch's positions: its T × B recurrence rows plus each sentence's first (the start state).
    const positions = this.batchRows + MAX_BATCH;
    this.targets = new Int32Array(positions);
    this.scores = new Float64Array(positions);
    this.batchIds = new Int32Array(this.batchRows);
    this.x = this.hidden = this.batchStartH = this.batchStartC = new Float64Array(0);
    this.grow(1);
    this.feed(BOS_ID);
    this.startH.set(this.h);
    this.startC.set(this.c);
  }

  reset(): void {
    this.h.set(this.startH);
    this.c.set(this.startC);
    this.fresh = false;
  }

  feed(token: number): void {
    this.one[0] = token;
    this.advance(this.one, 1);
  }

  logProb(next: number): number {
    this.distributionOfState();
    return this.logProbs[next]!;
  }

  distribution(out: Float64Array): void {
    this.distributionOfState();
    for (let w = 0; w < this.vocabSize; w++) out[w] = Math.exp(this.logProbs[w]!);
  }

  scoreSequence(tokens: Int32Array, out: Float64Array): void {
    for (let from = 0; from < tokens.length; from += SCORING_ROWS) {
      const to = Math.min(tokens.length, from + SCORING_ROWS);
      this.scorePiece(tokens.subarray(from, to), out.subarray(from, to));
    }
  }

  scoreSentences(sentences: readonly Int32Array[], outs: readonly Float64Array[]): void {
    for (const batch of planBatches(sentences, this.batchRows, MAX_BATCH)) {
      if (batch.steps > this.batchRows) {
        // One sentence longer than a batch: in pieces, the state carried.
        const j = batch.members[0]!;
        this.reset();
        this.scoreSequence(sentences[j]!, outs[j]!);
      } else {
        this.scoreBatch(sentences, outs, batch);
      }
    }
    this.reset();
  }

  /**
   * B sentences side by side: sentence b's token t is row t·B + b. Only its first n − 1 tokens are fed (the
   * states before its n predictions are the start state and the outputs after them); rows past a shorter
   * sentence's end are padding, which the recurrence (causal, each row its own) never mixes into real rows.
   */
  private scoreBatch(sentences: readonly Int32Array[], outs: readonly Float64Array[], batch: SentenceBatch): void {
    const { members, steps: T } = batch;
    const B = members.length;
    const { hiddenSize: H, numLayers: L } = this.net.shape;
    this.grow(T * B, true);
    let outputs: FloatArray | null = null;
    if (T > 0) {
      const ids = this.batchIds.subarray(0, T * B);
      ids.fill(EOS_ID);
      for (let b = 0; b < B; b++) {
        const s = sentences[members[b]!]!;
        for (let t = 0; t + 1 < s.length; t++) ids[t * B + b] = s[t]!;
      }
      for (let l = 0; l < L; l++) {
        for (let b = 0; b < B; b++) {
          this.batchStartH.set(this.startH.subarray(l * H, (l + 1) * H), (l * B + b) * H);
          this.batchStartC.set(this.startC.subarray(l * H, (l + 1) * H), (l * B + b) * H);
        }
      }
      const x = this.x.subarray(0, T * B * this.net.inputSize);
      this.net.embed(ids, x, T * B);
      outputs = this.net.layer.forwardTimeMajor(this.ws, x, T, B, this.batchStartH.subarray(0, L * B * H), this.batchStartC.subarray(0, L * B * H), false);
    }
    // Gather each sentence's states (start state, then its outputs) and targets, one block after another.
    const start = this.topOf(this.startH);
    let rows = 0;
    for (let b = 0; b < B; b++) {
      const s = sentences[members[b]!]!;
      this.hidden.set(start, rows * H);
      this.targets[rows] = s[0]!;
      rows++;
      for (let t = 0; t + 1 < s.length; t++, rows++) {
        const at = (t * B + b) * H;
        this.hidden.set(outputs!.subarray(at, at + H), rows * H);
        this.targets[rows] = s[t + 1]!;
      }
    }
    this.net.scoreTargets(this.hidden, this.targets, rows, this.scores);
    rows = 0;
    for (let b = 0; b < B; b++) {
      const j = members[b]!;
      const n = sentences[j]!.length;
      outs[j]!.set(this.scores.subarray(rows, rows + n));
      rows += n;
    }
  }

  private scorePiece(tokens: Int32Array, out: Float64Array): void {
    const n = tokens.length;
    const H = this.net.shape.hiddenSize;
    this.grow(n);
    // The state before token i is the current one for i = 0, else the output after token i − 1.
    this.hidden.set(this.topOf(this.h), 0);
    const outputs = this.advance(tokens, n);
    this.hidden.set(outputs.subarray(0, (n - 1) * H), H);
    this.net.scoreTargets(this.hidden, tokens, n, out);
  }

  /** Run the recurrence over `count` tokens from the current state; returns the top layer's outputs. */
  private advance(tokens: Int32Array, count: number): FloatArray {
    const x = this.x.subarray(0, count * this.net.inputSize);
    this.net.embed(tokens, x, count);
    const outputs = this.net.layer.forwardTimeMajor(this.ws, x, count, 1, this.h, this.c, false);
    this.h.set(this.ws.hN.subarray(0, this.h.length));
    if (this.net.shape.cell === 'lstm') this.c.set(this.ws.cN.subarray(0, this.c.length));
    this.fresh = false;
    return outputs;
  }

  /** The top layer's part of a state (L, 1, H). */
  private topOf(state: FloatArray): FloatArray {
    const H = this.net.shape.hiddenSize;
    return state.subarray((this.net.shape.numLayers - 1) * H);
  }

  private distributionOfState(): void {
    if (this.fresh) return;
    this.net.logDistribution(this.topOf(this.h), this.logProbs);
    this.fresh = true;
  }

  /**
   * Room for `rows` recurrence rows and their states (plus one start state per sentence of a batch), and with
   * `batches` the (L, MAX_BATCH, H) start states: never more than the larger of the two row budgets.
   */
  private grow(rows: number, batches = false): void {
    const needStates = batches && this.batchStartH.length === 0;
    if (rows <= this.capacity && !needStates) return;
    const { hiddenSize: H, numLayers: L } = this.net.shape;
    const capacity = Math.max(rows, Math.min(Math.max(2 * this.capacity, 64), Math.max(SCORING_ROWS, this.batchRows)));
    const states = batches || this.batchStartH.length > 0 ? L * MAX_BATCH * H : 0;
    this.growing.releaseAll();
    this.x = this.growing.take(capacity * this.net.inputSize);
    this.hidden = this.growing.take((capacity + MAX_BATCH) * H);
    this.batchStartH = this.growing.take(states);
    this.batchStartC = this.growing.take(states);
    this.capacity = capacity;
  }
}
