import { dropoutBackward, dropoutForward } from '../../numerics/dropout.ts';
import { embeddingForward, embeddingParameterBackward } from '../../numerics/embedding.ts';
import { createParameter, createRowSparseParameter, type Parameter } from '../../numerics/parameter.ts';
import { AdaptiveSoftmax } from '../../numerics/output/adaptive-softmax.ts';
import { ClassSoftmax } from '../../numerics/output/class-softmax.ts';
import { FullSoftmax } from '../../numerics/output/full-softmax.ts';
import { createOutputLayer, type OutputOptions } from '../../numerics/output/options.ts';
import type { OutputLayer } from '../../numerics/output/output-layer.ts';
import { Random } from '../../numerics/random.ts';
import { release, type DType, type FloatArray } from '../../numerics/tensor.ts';
import { OwnedArrays } from '../../numerics/owned-arrays.ts';
import type { Segment } from './batches.ts';
import { GRU } from '../../numerics/recurrent/gru.ts';
import { LSTM } from '../../numerics/recurrent/lstm.ts';
import type { RecurrentLayer } from '../../numerics/recurrent/recurrent.ts';
import { RNN } from '../../numerics/recurrent/rnn.ts';
import type { RecurrentWorkspace } from '../../numerics/recurrent/workspace.ts';
import type { Cell } from './options.ts';

const INIT_RANGE = 0.1;

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
  /** The output layer: full softmax (default) or class-factored. */
  readonly output?: OutputOptions;
  readonly seed: number;
  /** float32 (default) for speed; float64 for gradient checks. */
  readonly dtype?: DType;
}

/**
 * The recurrent language model of pytorch/examples word_language_model (Mikolov et al. 2010; Zaremba et
 * al. 2014): embedding E (|V| × D) → dropout → recurrent layers (H, dropout between them) → dropout →
 * linear (H → |V|) → softmax. With `tie` the output layer reuses E (Press & Wolf 2017); with `oneHot`
 * the recurrent layer reads one-hot vectors directly, as in the lessons. The output layer is the full softmax
 * (`decoder.weight`, `decoder.bias`, as torch's) or the class-factored one (`numerics/output/`).
 */
export class RecurrentNetwork {
  readonly layer: RecurrentLayer;
  /** |V| × D, or null with one-hot inputs. */
  readonly encoder: Parameter | null;
  /** H → P(w | h): the full softmax (its weight the encoder itself when tied) or the class-factored softmax. */
  readonly output: OutputLayer;
  /** Every distinct parameter once, as torch's named_parameters() lists them. */
  readonly parameters: readonly Parameter[];
  random: Random;
  /** Width of the recurrent layer's input: D, or |V| with one-hot inputs. */
  readonly inputSize: number;
  readonly dtype: DType;

  constructor(readonly shape: NetworkShape) {
    const { cell, vocabSize: V, embeddingSize: D, hiddenSize: H, numLayers, dropout } = shape;
    const dtype = shape.dtype ?? 'float32';
    this.dtype = dtype;
    this.inputSize = shape.oneHot ? V : D;
    // seed: the layer's own stream, not the global torch generator; `initialize` draws its parameters anyway.
    const options = { inputSize: this.inputSize, hiddenSize: H, numLayers, dropout, dtype, seed: 0 };
    this.layer = cell === 'lstm' ? new LSTM(options) : cell === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity: shape.nonlinearity });
    // Row-sparse unless tied: a tied decoder writes the whole table's gradient.
    this.encoder = shape.oneHot ? null : (shape.tie ? createParameter : createRowSparseParameter)('encoder.weight', [V, D], dtype);
    const output = shape.output ?? { output: 'full', classes: 0, classBinning: 'sqrt' };
    const tied = shape.tie && this.encoder ? this.encoder : null;
    this.output = createOutputLayer(output, { vocabSize: V, inputSize: H, dtype, name: 'decoder', tied });
    const rnn = this.layer.namedParameters().map((p) => ({ ...p, name: `rnn.${p.name}` }));
    this.parameters = [...(this.encoder ? [this.encoder] : []), ...rnn, ...this.output.parameters];
    this.random = new Random(shape.seed);
    this.initialize(shape.seed);
  }

  /**
   * Draw every parameter from `seed` (the same seed gives the same network and, later, the same dropout
   * masks and batch order). word_language_model's init_weights: E and W ~ U(−0.1, 0.1), b = 0; the
   * recurrent layer keeps PyTorch's U(−1/√H, 1/√H). (N(0, 1) embeddings, torch's default, would make tied
   * logits huge.) The class output's weights (classes, then words) are drawn the same way, its biases 0.
   */
  initialize(seed: number): void {
    this.random = new Random(seed);
    // The layer seeds its own stream (initial weights, then its between-layer dropout masks) from ours.
    this.layer.resetParameters(this.random.int(2 ** 31));
    if (this.encoder) this.random.uniform(this.encoder.data, -INIT_RANGE, INIT_RANGE);
    const out = this.output;
    if (out instanceof FullSoftmax) {
      if (out.weight !== this.encoder) this.random.uniform(out.weight.data, -INIT_RANGE, INIT_RANGE);
      out.bias.data.fill(0);
    } else if (out instanceof ClassSoftmax) {
      this.random.uniform(out.classWeight.data, -INIT_RANGE, INIT_RANGE);
      this.random.uniform(out.wordWeight.data, -INIT_RANGE, INIT_RANGE);
      out.classBias.data.fill(0);
      out.wordBias.data.fill(0);
    } else if (out instanceof AdaptiveSoftmax) {
      // torch's nn.AdaptiveLogSoftmaxWithLoss initialisation (nn.Linear's defaults), from the network's stream.
      out.initialize(this.random);
    }
    for (const p of this.parameters) {
      p.grad.fill(0);
      p.touched?.clear();
    }
  }

  /** Give back every parameter's memory; the network is unusable afterwards. */
  dispose(): void {
    this.layer.dispose();
    this.output.dispose();
    if (this.encoder) {
      release(this.encoder.data);
      release(this.encoder.grad);
    }
  }

  /**
   * The output layer of scoring, which every scorer path goes through: out[r] = ln P(targets[r] | hidden_r) for
   * `rows` rows of top-layer states (rows × H), in pieces of bounded memory (`OUTPUT_ROWS` for the full softmax).
   */
  scoreTargets(hidden: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    this.output.logProbAt(hidden, targets, rows, out);
  }

  /** One state's whole distribution: out[w] = ln P(w | hidden) for every w (hidden: one row of H). */
  logDistribution(hidden: FloatArray, out: Float64Array): void {
    this.output.logDistribution(hidden, out);
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
    const { hiddenSize: H, numLayers: L } = net.shape;
    const rows = maxBatch * maxSteps;
    this.ws = net.layer.createWorkspace();
    this.owned = new OwnedArrays(net.dtype);
    const allocate = (n: number): FloatArray => this.owned.take(n);
    this.x = allocate(rows * net.inputSize);
    const dropout = net.shape.dropout > 0;
    this.inputMask = allocate(dropout ? rows * net.inputSize : 0);
    this.outputMask = allocate(dropout ? rows * H : 0);
    this.dropped = allocate(dropout ? rows * H : 0);
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
    const { hiddenSize: H, numLayers: L, dropout: p } = net.shape;
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
    const dTop = this.dHidden.subarray(0, rows * H);
    const loss = net.output.forwardBackward(top, targets, rows, 1 / Math.max(segment.tokens, 1), dTop);
    if (p > 0) dropoutBackward(this.outputMask, dTop, dTop, rows * H);
    const dx = net.layer.backwardTimeMajor(this.ws, dTop);
    if (net.encoder) {
      if (p > 0) dropoutBackward(this.inputMask, dx, dx, rows * I);
      embeddingParameterBackward(net.encoder, inputs, dx, rows, net.shape.embeddingSize);
    }
    return loss;
  }
}
