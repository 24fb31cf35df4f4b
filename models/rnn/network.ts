import { addBias, biasGradient } from '../../numerics/bias.ts';
import { softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { dropoutBackward, dropoutForward } from '../../numerics/dropout.ts';
import { embeddingBackward, embeddingForward } from '../../numerics/embedding.ts';
import { matmul, matmulTransA, matmulTransB } from '../../numerics/matmul.ts';
import { createParameter, type Parameter } from '../../numerics/parameter.ts';
import { Random } from '../../numerics/random.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../../numerics/softmax.ts';
import { allocate, release, type DType, type FloatArray } from '../../numerics/tensor.ts';
import { OwnedArrays } from '../../numerics/owned-arrays.ts';
import type { Segment } from './batches.ts';
import { GRU } from '../../numerics/recurrent/gru.ts';
import { LSTM } from '../../numerics/recurrent/lstm.ts';
import type { RecurrentLayer } from '../../numerics/recurrent/recurrent.ts';
import { RNN } from '../../numerics/recurrent/rnn.ts';
import type { RecurrentWorkspace } from '../../numerics/recurrent/workspace.ts';
import type { Cell } from './options.ts';

const INIT_RANGE = 0.1;

/**
 * Rows of logits the scoring output layer computes at once: 256 × |V| keeps the product as fast as a longer
 * one while its buffer stays at 14 MB for Brown's |V| = 14,116 in float32, whatever the caller hands it.
 */
export const OUTPUT_ROWS = 256;

export interface NetworkShape {
  readonly cell: Cell;
  readonly nonlinearity: 'tanh' | 'relu';
  readonly vocabSize: number;
  readonly embeddingSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly dropout: number;
  readonly tie: boolean;
  readonly oneHot: boolean;
  readonly seed: number;
  /** float32 (default) for speed; float64 for gradient checks. */
  readonly dtype?: DType;
}

/**
 * The recurrent language model of pytorch/examples word_language_model (Mikolov et al. 2010; Zaremba et
 * al. 2014): embedding E (|V| × D) → dropout → recurrent layers (H, dropout between them) → dropout →
 * linear (H → |V|) → softmax. With `tie` the output layer reuses E (Press & Wolf 2017); with `oneHot`
 * the recurrent layer reads one-hot vectors directly, as in the lessons.
 */
export class RecurrentNetwork {
  readonly layer: RecurrentLayer;
  /** |V| × D, or null with one-hot inputs. */
  readonly encoder: Parameter | null;
  /** |V| × H (the encoder itself when tied). */
  readonly decoderWeight: Parameter;
  readonly decoderBias: Parameter;
  /** Every distinct parameter once, as torch's named_parameters() lists them. */
  readonly parameters: readonly Parameter[];
  random: Random;
  /** Width of the recurrent layer's input: D, or |V| with one-hot inputs. */
  readonly inputSize: number;
  readonly dtype: DType;
  /** Scratch logits of `scoreTargets` and `logDistribution`. */
  private scoringBuffer: FloatArray | undefined;

  constructor(readonly shape: NetworkShape) {
    const { cell, vocabSize: V, embeddingSize: D, hiddenSize: H, numLayers, dropout } = shape;
    const dtype = shape.dtype ?? 'float32';
    this.dtype = dtype;
    this.inputSize = shape.oneHot ? V : D;
    const options = { inputSize: this.inputSize, hiddenSize: H, numLayers, dropout, dtype };
    this.layer = cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity: shape.nonlinearity });
    this.encoder = shape.oneHot ? null : createParameter('encoder.weight', [V, D], dtype);
    this.decoderWeight = shape.tie && this.encoder ? this.encoder : createParameter('decoder.weight', [V, H], dtype);
    this.decoderBias = createParameter('decoder.bias', [V], dtype);
    const rnn = this.layer.namedParameters().map((p) => ({ ...p, name: `rnn.${p.name}` }));
    this.parameters = [...(this.encoder ? [this.encoder] : []), ...rnn, ...(this.decoderWeight !== this.encoder ? [this.decoderWeight] : []), this.decoderBias];
    this.random = new Random(shape.seed);
    this.initialize(shape.seed);
  }

  /**
   * Draw every parameter from `seed` (the same seed gives the same network and, later, the same dropout
   * masks and batch order). word_language_model's init_weights: E and W ~ U(−0.1, 0.1), b = 0; the
   * recurrent layer keeps PyTorch's U(−1/√H, 1/√H). (N(0, 1) embeddings, torch's default, would make tied
   * logits huge.)
   */
  initialize(seed: number): void {
    this.random = new Random(seed);
    // The layer seeds its own stream (initial weights, then its between-layer dropout masks) from ours.
    this.layer.resetParameters(this.random.int(2 ** 31));
    if (this.encoder) this.random.uniform(this.encoder.data, -INIT_RANGE, INIT_RANGE);
    if (this.decoderWeight !== this.encoder) this.random.uniform(this.decoderWeight.data, -INIT_RANGE, INIT_RANGE);
    this.decoderBias.data.fill(0);
    for (const p of this.parameters) p.grad.fill(0);
  }

  /** Give back every parameter's memory; the network is unusable afterwards. */
  dispose(): void {
    this.layer.dispose();
    if (this.scoringBuffer) release(this.scoringBuffer);
    for (const p of [this.encoder, this.decoderWeight === this.encoder ? null : this.decoderWeight, this.decoderBias]) {
      if (p) {
        release(p.data);
        release(p.grad);
      }
    }
  }

  /** The recurrent layer's input for `count` token ids: embedding rows, or one-hot vectors. */
  embed(ids: Int32Array, out: FloatArray, count: number): void {
    if (this.encoder) {
      embeddingForward(this.encoder.data, ids, out, count, this.shape.embeddingSize);
    } else {
      const V = this.shape.vocabSize;
      out.fill(0, 0, count * V);
      for (let i = 0; i < count; i++) out[i * V + ids[i]!] = 1;
    }
  }

  /** logits[rows × |V|] = hidden[rows × H] · Wᵀ + b */
  logits(hidden: FloatArray, out: FloatArray, rows: number): void {
    const V = this.shape.vocabSize;
    // The product overwrites, then b is added in one streaming pass: accumulating the product onto rows
    // preset to b reads back every tile of a C far larger than the caches (~40% slower at 1120 × 14116).
    matmulTransB(hidden, this.decoderWeight.data, out, rows, this.shape.hiddenSize, V, false);
    addBias(out, this.decoderBias.data, rows, V);
  }

  /**
   * The output layer of scoring, which every scorer path goes through: out[r] = ln P(targets[r] | hidden_r)
   * for `rows` rows of top-layer states (rows × H). Full softmax: the logits of up to `OUTPUT_ROWS` rows at a
   * time into a buffer the network owns (so its memory does not grow with `rows`), then log-softmax at the
   * targets only.
   */
  scoreTargets(hidden: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    const { hiddenSize: H, vocabSize: V } = this.shape;
    const logits = this.scoringLogits();
    for (let from = 0; from < rows; from += OUTPUT_ROWS) {
      const n = Math.min(OUTPUT_ROWS, rows - from);
      this.logits(hidden.subarray(from * H, (from + n) * H), logits, n);
      logSoftmaxAt(logits, targets.subarray(from, from + n), out.subarray(from, from + n), n, V);
    }
  }

  /** One state's whole distribution: out[w] = ln P(w | hidden) for every w (hidden: one row of H). */
  logDistribution(hidden: FloatArray, out: Float64Array): void {
    const V = this.shape.vocabSize;
    const logits = this.scoringLogits().subarray(0, V);
    this.logits(hidden, logits, 1);
    logSoftmaxRows(logits, out, 1, V);
  }

  /** `OUTPUT_ROWS` × |V| logits for scoring, made on first use and shared by the network's scorers (scratch). */
  private scoringLogits(): FloatArray {
    this.scoringBuffer ??= allocate(this.dtype, OUTPUT_ROWS * this.shape.vocabSize);
    return this.scoringBuffer;
  }
}

/**
 * Everything one training step needs, sized once for batch × bptt rows: the forward and backward of a
 * segment allocate nothing. Holds the recurrent state carried from one segment to the next.
 */
export class TrainingPass {
  private readonly ws: RecurrentWorkspace;
  private readonly x: FloatArray;
  private readonly inputMask: FloatArray;
  private readonly outputMask: FloatArray;
  private readonly dropped: FloatArray;
  private readonly logits: FloatArray;
  private readonly dHidden: FloatArray;
  /** Carried state, (L, B, H); `c` for the LSTM. */
  private readonly h: FloatArray;
  private readonly c: FloatArray;
  private readonly zeros: FloatArray;
  private readonly owned: OwnedArrays;

  constructor(
    private readonly net: RecurrentNetwork,
    maxBatch: number,
    maxSteps: number,
  ) {
    const { hiddenSize: H, vocabSize: V, numLayers: L } = net.shape;
    const rows = maxBatch * maxSteps;
    this.ws = net.layer.createWorkspace();
    this.owned = new OwnedArrays(net.dtype);
    const allocate = (n: number): FloatArray => this.owned.take(n);
    this.x = allocate(rows * net.inputSize);
    const dropout = net.shape.dropout > 0;
    this.inputMask = allocate(dropout ? rows * net.inputSize : 0);
    this.outputMask = allocate(dropout ? rows * H : 0);
    this.dropped = allocate(dropout ? rows * H : 0);
    this.logits = allocate(rows * V);
    this.dHidden = allocate(rows * H);
    this.h = allocate(L * maxBatch * H);
    this.c = allocate(L * maxBatch * H);
    this.zeros = allocate(L * maxBatch * H);
  }

  /** Give back every buffer (the pass is unusable afterwards). */
  dispose(): void {
    this.ws.dispose();
    this.owned.releaseAll();
  }

  /**
   * Forward and backward over one segment: accumulates every parameter's gradient of the mean
   * cross-entropy over the segment's targets, carries the final state, and returns the summed loss (nats).
   */
  step(segment: Segment): number {
    const net = this.net;
    const { hiddenSize: H, vocabSize: V, numLayers: L, dropout: p } = net.shape;
    const { steps: T, batch: B, inputs, targets } = segment;
    const rows = T * B;
    const I = net.inputSize;
    const stateSize = L * B * H;

    const x = this.x.subarray(0, rows * I);
    net.embed(inputs, x, rows);
    if (p > 0) dropoutForward(x, x, this.inputMask, rows * I, p, net.random);
    const h0 = segment.reset ? this.zeros : this.h;
    const c0 = segment.reset ? this.zeros : this.c;
    const out = net.layer.forwardTimeMajor(this.ws, x, T, B, h0.subarray(0, stateSize), c0.subarray(0, stateSize), true);
    // Truncated BPTT: the next segment starts from these values, but no gradient flows back into this one.
    this.h.set(this.ws.hN.subarray(0, stateSize));
    if (net.shape.cell === 'lstm') this.c.set(this.ws.cN.subarray(0, stateSize));
    let top = out;
    if (p > 0) {
      top = this.dropped.subarray(0, rows * H);
      dropoutForward(out, top, this.outputMask, rows * H, p, net.random);
    }
    const logits = this.logits.subarray(0, rows * V);
    net.logits(top, logits, rows);
    const count = segment.tokens;
    // In place: logits become dL/dlogits of the mean loss.
    const loss = softmaxCrossEntropy(logits, targets, logits, rows, V, 1 / Math.max(count, 1));

    const W = net.decoderWeight;
    matmulTransA(logits, top, W.grad, V, rows, H, true);
    biasGradient(logits, net.decoderBias.grad, rows, V);
    const dTop = this.dHidden.subarray(0, rows * H);
    matmul(logits, W.data, dTop, rows, V, H);
    if (p > 0) dropoutBackward(this.outputMask, dTop, dTop, rows * H);
    const dx = net.layer.backwardTimeMajor(this.ws, dTop);
    if (net.encoder) {
      if (p > 0) dropoutBackward(this.inputMask, dx, dx, rows * I);
      embeddingBackward(net.encoder.grad, inputs, dx, rows, net.shape.embeddingSize);
    }
    return loss;
  }
}
