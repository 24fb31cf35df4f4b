import { UserError } from '../../errors/user-error.ts';
import { tanhBackward, tanhForward } from '../../numerics/activations.ts';
import { addBias, biasGradient } from '../../numerics/bias.ts';
import { dropoutBackward, dropoutForward } from '../../numerics/dropout.ts';
import { embeddingForward, embeddingParameterBackward } from '../../numerics/embedding.ts';
import { initEmbedding, initUniformFanIn } from '../../numerics/init.ts';
import { matmul, matmulTransA, matmulTransB } from '../../numerics/matmul.ts';
import { AdaptiveSoftmax } from '../../numerics/output/adaptive-softmax.ts';
import type { OutputLayer } from '../../numerics/output/output-layer.ts';
import { createOutputLayer, type OutputOptions } from '../../numerics/output/options.ts';
import { OUTPUT_ROWS } from '../../numerics/output/full-softmax.ts';
import { createParameter, createRowSparseParameter, type Parameter } from '../../numerics/parameter.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../../numerics/softmax.ts';
import type { Random } from '../../numerics/random.ts';
import { allocate, release, type DType, type FloatArray } from '../../numerics/tensor.ts';

export { OUTPUT_ROWS };

export interface WindowShape {
  /** |V| */
  readonly vocabSize: number;
  /** window: n − 1 words of context */
  readonly n: number;
  /** embedding size */
  readonly m: number;
  /** hidden units; 0 = no hidden layer */
  readonly h: number;
  /** direct connections W */
  readonly direct: boolean;
  readonly dtype: DType;
  /** The output layer over Z = [tanh(d + Hx) | x]: the full softmax of eq. 1 (default), or class-factored. */
  readonly output?: OutputOptions;
}

/**
 * The neural probabilistic language model of Bengio, Ducharme, Vincent & Jauvin (2003), eq. 1:
 *
 *   x = (C(w_{t−1}), C(w_{t−2}), …, C(w_{t−n+1}))     the n−1 embeddings, concatenated
 *   y = b + W·x + U·tanh(d + H·x)
 *   P(w_t | context) = softmax(y)
 *
 * Parameters, named as in the paper: C (|V|×m), H (h×(n−1)m), d (h), U, b (|V|), W. A batch of B contexts
 * runs as matrix products over rows: a = d + x·Hᵀ, and the output layer is ONE product y = b + Z·O of
 * Z = [tanh(a) | x] (B×K, K = h + (n−1)m) with O = [Uᵀ; Wᵀ] (K×|V|). So U and W are stored transposed —
 * U as h×|V| and W as (n−1)m×|V|, contiguous rows of one array — and column w of U is the paper's row U_w.
 * The context is stored oldest word first, x = (C(w_{t−n+1}), …, C(w_{t−1})); the paper's order is a
 * permutation of W's and H's columns, the same model.
 *
 * With the class-factored output (`output: 'class'`, Goodman 2001; Mikolov et al. 2011) the same Z feeds a
 * `ClassSoftmax` instead of O and b: P(w | context) = P(c(w) | Z) · P(w | c(w), Z), each factor a softmax of an
 * affine map of Z, as y is here; U, W and b are then that layer's class and word weights.
 */
// The shape's fields are the network's own (declaration merging: WindowNetwork has every WindowShape field).
export interface WindowNetwork extends WindowShape {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the constructor assigns every WindowShape field (Object.assign).
export class WindowNetwork {
  /** (n−1)·m: the width of x */
  readonly inputSize: number;
  /** Rows of O: h (if there is a hidden layer) + (n−1)m (with direct connections) */
  readonly outputInputs: number;

  readonly C: Parameter;
  readonly H: Parameter | null;
  readonly d: Parameter | null;
  readonly U: Parameter | null;
  readonly b: Parameter | null;
  readonly W: Parameter | null;
  /** O = [Uᵀ; Wᵀ] as one K×|V| array (U and W are views of it), and its gradient; empty with the class output. */
  readonly O: FloatArray;
  readonly dO: FloatArray;
  /** The factored output layer over Z (class or adaptive softmax), or null for eq. 1's softmax. */
  readonly outputLayer: OutputLayer | null;
  /** Scratch logits of `scoreTargets` and `logDistribution` (eq. 1's softmax). */
  private scoringBuffer: FloatArray | undefined;

  constructor(shape: WindowShape) {
    const { vocabSize: V, n, m, h, direct, dtype } = shape;
    if (h === 0 && !direct) throw new UserError('model "window": with h = 0 (no hidden layer) the direct connections are needed (--direct)');
    Object.assign(this, { vocabSize: V, n, m, h, direct, dtype, output: shape.output });
    this.inputSize = (n - 1) * m;
    this.outputInputs = h + (direct ? this.inputSize : 0);
    this.C = createRowSparseParameter('C', [V, m], dtype);
    this.H = h > 0 ? createParameter('H', [h, this.inputSize], dtype) : null;
    this.d = h > 0 ? createParameter('d', [h], dtype) : null;
    const output = shape.output;
    this.outputLayer =
      output !== undefined && output.output !== 'full'
        ? createOutputLayer(output, { vocabSize: V, inputSize: this.outputInputs, dtype, name: 'output' })
        : null;
    const full = this.outputLayer === null;
    this.b = full ? createParameter('b', [V], dtype) : null;
    this.O = allocate(dtype, full ? this.outputInputs * V : 0);
    this.dO = allocate(dtype, full ? this.outputInputs * V : 0);
    const view = (name: string, rows: number, offset: number): Parameter => ({
      name,
      shape: [rows, V],
      data: this.O.subarray(offset * V, (offset + rows) * V),
      grad: this.dO.subarray(offset * V, (offset + rows) * V),
    });
    this.U = full && h > 0 ? view('U', h, 0) : null;
    this.W = full && direct ? view('W', this.inputSize, h) : null;
  }

  /** Release the parameters' kernel memory; the network must not be used afterwards. */
  dispose(): void {
    for (const p of [this.C, this.H, this.d, this.b]) {
      if (p) {
        release(p.data);
        release(p.grad);
      }
    }
    release(this.O);
    release(this.dO);
    this.outputLayer?.dispose();
    if (this.scoringBuffer) release(this.scoringBuffer);
  }

  /**
   * The output layer of scoring, which every scorer path goes through: out[r] = ln P(targets[r] | Z_r) for
   * `rows` rows of the output layer's input Z = [tanh(d + H·x) | x] (rows × K). Eq. 1's softmax: the logits
   * y = b + Z·O of up to `OUTPUT_ROWS` rows at a time into a buffer the network owns (so its memory does not grow
   * with `rows`), then log-softmax at the targets only; the class output: its own `logProbAt`.
   */
  scoreTargets(input: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    if (this.outputLayer) {
      this.outputLayer.logProbAt(input, targets, rows, out);
      return;
    }
    const { outputInputs: K, vocabSize: V } = this;
    const logits = this.scoringLogits();
    for (let from = 0; from < rows; from += OUTPUT_ROWS) {
      const n = Math.min(OUTPUT_ROWS, rows - from);
      matmul(input.subarray(from * K, (from + n) * K), this.O, logits, n, K, V, false);
      addBias(logits, this.b!.data, n, V);
      logSoftmaxAt(logits, targets.subarray(from, from + n), out.subarray(from, from + n), n, V);
    }
  }

  /** One context's whole distribution: out[w] = ln P(w | Z) for every w (input: one row of K). */
  logDistribution(input: FloatArray, out: Float64Array): void {
    if (this.outputLayer) {
      this.outputLayer.logDistribution(input, out);
      return;
    }
    const { outputInputs: K, vocabSize: V } = this;
    const logits = this.scoringLogits().subarray(0, V);
    matmul(input.subarray(0, K), this.O, logits, 1, K, V, false);
    addBias(logits, this.b!.data, 1, V);
    logSoftmaxRows(logits, out, 1, V);
  }

  /** `OUTPUT_ROWS` × |V| logits for scoring, made on first use and shared by the network's scorers (scratch). */
  private scoringLogits(): FloatArray {
    this.scoringBuffer ??= allocate(this.dtype, OUTPUT_ROWS * this.vocabSize);
    return this.scoringBuffer;
  }

  /** In the order of `named_parameters()` of the PyTorch twin (test/fixtures/torch/make_window_fixture.py); the class output's last. */
  parameters(): Parameter[] {
    const own = [this.C, this.H, this.d, this.U, this.b, this.W].filter((p): p is Parameter => p !== null);
    return [...own, ...(this.outputLayer?.parameters ?? [])];
  }

  /**
   * PyTorch's defaults for nn.Embedding (C ~ N(0, 1)) and nn.Linear (weight and bias ~ U(±1/√fan_in)):
   * H, d have fan-in (n−1)m; U and b fan-in h; W fan-in (n−1)m (b belongs to the U layer, or to W's without one).
   */
  initialize(random: Random): void {
    initEmbedding(this.C.data, random);
    if (this.H && this.d) {
      initUniformFanIn(this.H.data, this.inputSize, random);
      initUniformFanIn(this.d.data, this.inputSize, random);
    }
    if (this.U) initUniformFanIn(this.U.data, this.h, random);
    if (this.b) initUniformFanIn(this.b.data, this.h > 0 ? this.h : this.inputSize, random);
    if (this.W) initUniformFanIn(this.W.data, this.inputSize, random);
    // The class output: nn.Linear(K, C) and nn.Linear(K, |V|) defaults, fan-in K.
    if (this.outputLayer instanceof AdaptiveSoftmax) this.outputLayer.initialize(random);
    else if (this.outputLayer) for (const p of this.outputLayer.parameters) initUniformFanIn(p.data, this.outputInputs, random);
  }
}

/**
 * Everything one batch of up to `capacity` contexts needs, allocated once: the forward activations kept
 * for the backward pass and the gradients of the activations.
 */
export class WindowWorkspace {
  /** Context ids, B×(n−1), oldest first. */
  readonly contexts: Int32Array;
  readonly targets: Int32Array;
  /** x, B×(n−1)m (after dropout while training) */
  readonly x: FloatArray;
  /** tanh(d + H·x), B×h (before dropout) */
  readonly t: FloatArray;
  /** Z = [t | x], the output layer's input, B×K */
  readonly Z: FloatArray;
  /** y, B×|V|: the logits, overwritten by dL/dy in the backward pass (empty with the class output) */
  readonly y: FloatArray;
  readonly dZ: FloatArray;
  readonly da: FloatArray;
  readonly dx: FloatArray;
  readonly maskX: FloatArray | null;
  readonly maskT: FloatArray | null;

  /**
   * `scoringOnly`: for `features` alone without dropout (a scorer's): no logits and no gradient buffers, which
   * `forward` and `backward` need.
   */
  constructor(
    readonly net: WindowNetwork,
    readonly capacity: number,
    dropout = false,
    scoringOnly = false,
  ) {
    const { dtype, n, h, inputSize, outputInputs, vocabSize } = net;
    const full = scoringOnly ? 0 : capacity;
    this.contexts = new Int32Array(capacity * (n - 1));
    this.targets = new Int32Array(capacity);
    this.x = allocate(dtype, capacity * inputSize);
    this.t = allocate(dtype, capacity * h);
    this.Z = allocate(dtype, capacity * outputInputs);
    this.y = allocate(dtype, net.outputLayer ? 0 : full * vocabSize);
    this.dZ = allocate(dtype, full * outputInputs);
    this.da = allocate(dtype, full * h);
    this.dx = allocate(dtype, full * inputSize);
    this.maskX = dropout ? allocate(dtype, capacity * inputSize) : null;
    this.maskT = dropout && h > 0 ? allocate(dtype, capacity * h) : null;
  }

  /** Give the activations' kernel memory back; the workspace must not be used afterwards. */
  dispose(): void {
    for (const a of [this.x, this.t, this.Z, this.y, this.dZ, this.da, this.dx, this.maskX, this.maskT]) if (a) release(a);
  }
}

/** Copy a [rows × width] block into columns [offset, offset + width) of a [rows × stride] matrix. */
function copyColumns(src: FloatArray, dst: FloatArray, rows: number, width: number, stride: number, offset: number): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * width, (r + 1) * width), r * stride + offset);
}

/** Copy columns [offset, offset + width) of a [rows × stride] matrix into a [rows × width] block. */
function extractColumns(src: FloatArray, dst: FloatArray, rows: number, width: number, stride: number, offset: number): void {
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * stride + offset, r * stride + offset + width), r * width);
}

/** Set every row of a [rows × cols] matrix to `v`. */
function broadcastRows(v: FloatArray, out: FloatArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) out.set(v.subarray(0, cols), r * cols);
}

/**
 * Forward pass of eq. 1 for the first `rows` contexts of the workspace: leaves Z in `ws.Z` and (with eq. 1's
 * softmax) the logits y in `ws.y`. With a `dropout` probability and its random stream, drops entries of x and of
 * tanh(d + H·x) (training).
 */
export function forward(ws: WindowWorkspace, rows: number, dropout = 0, random: Random | null = null): void {
  const { net, Z, y } = ws;
  const { outputInputs: K, vocabSize: V } = net;
  features(ws, rows, dropout, random);
  if (net.b === null) return;
  // y = b + W·x + U·tanh(d + H·x)
  // The product overwrites y and b follows in one pass (accumulating onto preset rows reads every tile of y back).
  matmul(Z, net.O, y, rows, K, V, false);
  addBias(y, net.b.data, rows, V);
}

/**
 * The forward pass up to the output layer's input: Z = [tanh(d + H·x) | x] (B×K) of the first `rows`
 * contexts, in `ws.Z` (dropout as in `forward`). Scoring goes on from here through `net.scoreTargets`.
 */
export function features(ws: WindowWorkspace, rows: number, dropout = 0, random: Random | null = null): void {
  const { net, x, t, Z } = ws;
  const { C, H, d, h, m, n, inputSize: I, outputInputs: K } = net;
  // x = (C(w_{t−n+1}), …, C(w_{t−1}))
  embeddingForward(C.data, ws.contexts, x, rows * (n - 1), m);
  const drop = dropout > 0 && random !== null;
  if (drop) dropoutForward(x, x, ws.maskX!, rows * I, dropout, random);
  if (H && d) {
    // tanh(d + H·x)
    broadcastRows(d.data, t, rows, h);
    matmulTransB(x, H.data, t, rows, I, h, true);
    tanhForward(t, t, rows * h);
    if (drop) {
      dropoutForward(t, ws.da, ws.maskT!, rows * h, dropout, random);
      copyColumns(ws.da, Z, rows, h, K, 0);
    } else {
      copyColumns(t, Z, rows, h, K, 0);
    }
  }
  if (net.direct) copyColumns(x, Z, rows, I, K, h);
}

/**
 * Backward pass from dL/dy (in `ws.y`, e.g. written there by the fused softmax cross-entropy) to every
 * parameter's gradient. O's gradient (U, W) and H's are overwritten; b and d are overwritten too; C's
 * gradient is accumulated into the rows of the context words only (its touched rows; clear them with `zeroGradients([C])`).
 */
export function backward(ws: WindowWorkspace, rows: number): void {
  const { net, Z, y: dy, dZ } = ws;
  const { b, outputInputs: K, vocabSize: V } = net;
  if (!b) throw new Error('backward: the class output back-propagates itself; call backwardFromZ with dZ');
  b.grad.fill(0);
  biasGradient(dy, b.grad, rows, V);
  // [dU; dW] = Zᵀ·dy and dZ = dy·Oᵀ
  matmulTransA(Z, dy, net.dO, K, rows, V);
  matmulTransB(dy, net.O, dZ, rows, V, K);
  backwardFromZ(ws, rows);
}

/** The rest of the backward pass, from dL/dZ in `ws.dZ` to H, d and C (as `backward` describes). */
export function backwardFromZ(ws: WindowWorkspace, rows: number): void {
  const { net, x, t, dZ, da, dx } = ws;
  const { C, H, d, h, m, n, inputSize: I, outputInputs: K } = net;
  if (net.direct) extractColumns(dZ, dx, rows, I, K, h);
  else dx.fill(0, 0, rows * I);
  if (H && d) {
    // da = dt ⊙ tanh′, with dt the first h columns of dZ (through the dropout mask while training)
    extractColumns(dZ, da, rows, h, K, 0);
    if (ws.maskT) dropoutBackward(ws.maskT, da, da, rows * h);
    tanhBackward(t, da, da, rows * h);
    d.grad.fill(0);
    biasGradient(da, d.grad, rows, h);
    matmulTransA(da, x, H.grad, h, rows, I);
    matmul(da, H.data, dx, rows, h, I, true);
  }
  if (ws.maskX) dropoutBackward(ws.maskX, dx, dx, rows * I);
  embeddingParameterBackward(C, ws.contexts, dx, rows * (n - 1), m);
}
