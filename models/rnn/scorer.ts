import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import type { Scorer } from '../types.ts';
import type { RecurrentWorkspace } from '../../numerics/recurrent/workspace.ts';
import type { RecurrentNetwork } from './network.ts';
import { OwnedArrays, releaseWhenCollected } from '../../numerics/owned-arrays.ts';

/**
 * Positions per piece of `scoreSequence`: its buffers (the output layer's logits above all, rows × |V| for the
 * full softmax) are sized for this many, whatever the sequence's length, so one 800,000-word line costs what a sentence does; 256 rows
 * keep the output layer's product as fast as a whole sentence's (Brown's longest has 180 words).
 */
export const SCORING_ROWS = 256;

/**
 * Carries the recurrent state token by token (evaluation mode: no dropout). `reset` returns to the state
 * after `<s>` (from zero, as training starts every sentence), computed once when the scorer is made.
 * `scoreSequence` runs the recurrence over up to `SCORING_ROWS` tokens, then the output layer as one
 * product, piece after piece with the state carried.
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
  // Buffers for sequences, grown as needed.
  private capacity = 0;
  private x: FloatArray;
  private hidden: FloatArray;
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
    this.x = this.hidden = new Float64Array(0);
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

  private scorePiece(tokens: Int32Array, out: Float64Array): void {
    const n = tokens.length;
    const H = this.net.shape.hiddenSize;
    this.grow(n);
    // The state before token i is the current one for i = 0, else the output after token i − 1.
    this.hidden.set(this.topState(), 0);
    const outputs = this.advance(tokens, n);
    this.hidden.set(outputs.subarray(0, (n - 1) * H), H);
    this.net.output.logProbAt(this.hidden, tokens, n, out);
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

  private topState(): FloatArray {
    const H = this.net.shape.hiddenSize;
    return this.h.subarray((this.net.shape.numLayers - 1) * H);
  }

  private distributionOfState(): void {
    if (this.fresh) return;
    this.net.output.logDistribution(this.topState(), this.logProbs);
    this.fresh = true;
  }

  private grow(n: number): void {
    if (n <= this.capacity) return;
    const capacity = Math.max(n, 2 * this.capacity, 64);
    this.growing.releaseAll();
    this.x = this.growing.take(capacity * this.net.inputSize);
    this.hidden = this.growing.take(capacity * this.net.shape.hiddenSize);
    this.capacity = capacity;
  }
}
