import { UserError } from '../../errors/user-error.ts';
import { addBias, biasGradient } from '../bias.ts';
import { softmaxCrossEntropy } from '../cross-entropy.ts';
import { embeddingBackward, embeddingForward } from '../embedding.ts';
import { initUniformFanIn } from '../init.ts';
import { matmul, matmulTransA, matmulTransB } from '../matmul.ts';
import { createParameter, type Parameter } from '../parameter.ts';
import type { Random } from '../random.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../softmax.ts';
import { release, type DType, type FloatArray } from '../tensor.ts';
import { adaptiveParameterShapes, adaptiveShape, type AdaptiveShape, type AdaptiveShapeOptions } from './adaptive-shape.ts';
import { ClusterRows } from './cluster-rows.ts';
import type { OutputLayer } from './output-layer.ts';
import { ScratchArray } from './scratch-array.ts';

export interface AdaptiveSoftmaxOptions extends AdaptiveShapeOptions {
  /** Default float32. */
  readonly dtype?: DType;
  /**
   * Prefix of the parameters' names, as the model's attribute would give them in torch (`decoder` →
   * `decoder.head.weight`, `decoder.tail.0.0.weight`, …). Default none: the module's own `named_parameters()`.
   */
  readonly name?: string;
}

/** Everything that fixes the layer's shape, as saved beside its arrays (a checkpoint's hyper-parameters). */
export interface AdaptiveSoftmaxDescription {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly cutoffs: number[];
  readonly divValue: number;
  readonly headBias: boolean;
  readonly dtype: DType;
  readonly name: string;
}

/**
 * The adaptive softmax of Grave, Joulin, Cissé, Grangier & Jégou 2017 ("Efficient softmax approximation for
 * GPUs"), with the semantics, parameter names and shapes of PyTorch 1.13's `nn.AdaptiveLogSoftmaxWithLoss`
 * (sizes and the frequency-order assumption: `adaptive-shape.ts`). For a row z, with head logits
 * h = W_head z (+ b) over the shortlist and one token per cluster:
 *
 *   ln P(w | z) = log_softmax(h)[w]                                       w in the shortlist [0, c₀)
 *   ln P(w | z) = log_softmax(h)[c₀ + i] + log_softmax(W_i,1 W_i,0 z)[w − cᵢ]   w in cluster i
 *
 * which is exactly normalised (the paper's two-level tree with a shortlist in the root): the head distributes the mass
 * over shortlist words and clusters, each cluster's softmax over its words.
 *
 * Cost. Training (`forwardBackward`) runs the head on every row, and cluster i's two products only on the rows
 * whose target is in cluster i (gathered into one block, their input gradient scatter-added back), so the tails'
 * weight gradients are touched only through those rows, as in torch's forward. `logProbAt` likewise costs the
 * head plus each row's own cluster; `logDistribution` runs every cluster (O(|V|)).
 *
 * Our vocabularies (`corpora/vocabulary.ts`) give ids 0, 1, 2 to `<unk>`, `<s>`, `</s>` and then the words by
 * descending training count, so with c₀ ≥ 3 the specials are in the shortlist: `</s>` (one per sentence) and
 * `<unk>` are among the most frequent targets and belong there; `<s>` is never a target and only takes one head
 * logit, whose probability training drives down (exact normalisation still counts it).
 *
 * Padding: a target of IGNORE_INDEX (−100) adds no loss and no gradient in `forwardBackward` (torch's module
 * has no ignore index; this is torch's cross-entropy convention, which the recurrent models' batches use).
 *
 * Scratch buffers grow to the largest batch seen and are reused, so that no call allocates once warm; a
 * training pass and a scorer can share the layer as long as their calls do not interleave (each call finishes
 * with its buffers before returning).
 */
export class AdaptiveSoftmax implements OutputLayer {
  readonly shape: AdaptiveShape;
  readonly dtype: DType;
  /** The parameters' name prefix ('' for none). */
  readonly name: string;
  readonly parameters: readonly Parameter[];
  private readonly headWeight: Parameter;
  private readonly headBiasParameter: Parameter | null;
  /** Per cluster: tail.i.0.weight [pᵢ × inputSize] and tail.i.1.weight [|cluster i| × pᵢ]. */
  private readonly projections: Parameter[] = [];
  private readonly outputs: Parameter[] = [];

  private readonly rows: ClusterRows;
  private readonly headLogits: ScratchArray;
  /** The rows that reach some cluster, cluster by cluster, and their input gradients. */
  private readonly gathered: ScratchArray;
  private readonly dGathered: ScratchArray;
  /** One cluster at a time: its projections, their gradients, its logits. */
  private readonly projected: ScratchArray;
  private readonly dProjected: ScratchArray;
  private readonly clusterLogits: ScratchArray;
  private clusterLogProbs = new Float64Array(0);
  private disposed = false;

  private constructor(shape: AdaptiveShape, dtype: DType, name: string) {
    this.shape = shape;
    this.dtype = dtype;
    this.name = name;
    const prefix = name === '' ? '' : `${name}.`;
    const parameters = adaptiveParameterShapes(shape).map((p) => createParameter(prefix + p.name, p.shape, dtype));
    this.parameters = parameters;
    this.headWeight = parameters[0]!;
    this.headBiasParameter = shape.headBias ? parameters[1]! : null;
    const tails = parameters.slice(shape.headBias ? 2 : 1);
    for (let i = 0; i < shape.clusterCount; i++) {
      this.projections.push(tails[2 * i]!);
      this.outputs.push(tails[2 * i + 1]!);
    }
    this.rows = new ClusterRows(shape);
    this.headLogits = new ScratchArray(dtype);
    this.gathered = new ScratchArray(dtype);
    this.dGathered = new ScratchArray(dtype);
    this.projected = new ScratchArray(dtype);
    this.dProjected = new ScratchArray(dtype);
    this.clusterLogits = new ScratchArray(dtype);
  }

  /** A layer with every parameter 0: call `initialize(random)` or `loadArrays` next. */
  static create(options: AdaptiveSoftmaxOptions): AdaptiveSoftmax {
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new UserError(`adaptive softmax: dtype must be float32 or float64, got ${String(dtype)}`);
    return new AdaptiveSoftmax(adaptiveShape(options), dtype, options.name ?? '');
  }

  /** A layer restored from arrays by parameter name (a checkpoint's, or `namedArrays()` of another layer). */
  static fromArrays(options: AdaptiveSoftmaxOptions, arrays: Readonly<Record<string, ArrayLike<number>>>): AdaptiveSoftmax {
    const layer = AdaptiveSoftmax.create(options);
    try {
      layer.loadArrays(arrays);
    } catch (e) {
      layer.dispose();
      throw e;
    }
    return layer;
  }

  get vocabSize(): number {
    return this.shape.vocabSize;
  }

  get inputSize(): number {
    return this.shape.inputSize;
  }

  /** The options that rebuild this layer's shape (`AdaptiveSoftmax.create(layer.description)`). */
  get description(): AdaptiveSoftmaxDescription {
    const { vocabSize, inputSize, cutoffs, divValue, headBias } = this.shape;
    return { vocabSize, inputSize, cutoffs: [...cutoffs], divValue, headBias, dtype: this.dtype, name: this.name };
  }

  /**
   * torch.nn.Linear's default initialisation for every parameter (`reset_parameters`: weight and bias
   * ~ U(−1/√fan_in, 1/√fan_in)), drawn from `random` in `parameters` order. Same distribution as torch, not
   * the same numbers.
   */
  initialize(random: Random): void {
    this.checkUsable();
    const shapes = adaptiveParameterShapes(this.shape);
    this.parameters.forEach((p, i) => {
      initUniformFanIn(p.data, shapes[i]!.fanIn, random);
    });
  }

  /** Every parameter's values by its name, as views: copy them (`.slice()`) to keep them. */
  namedArrays(): Record<string, FloatArray> {
    this.checkUsable();
    const out: Record<string, FloatArray> = {};
    for (const p of this.parameters) out[p.name] = p.data;
    return out;
  }

  /**
   * Copy every parameter's values from `arrays[its name]`. Each must be present with exactly the parameter's
   * length (a UserError otherwise, before anything is copied); other names are left alone, so a whole model's
   * arrays (a checkpoint's) can be passed.
   */
  loadArrays(arrays: Readonly<Record<string, ArrayLike<number>>>): void {
    this.checkUsable();
    for (const p of this.parameters) {
      const a = arrays[p.name];
      if (a === undefined || a.length !== p.data.length) {
        throw new UserError(
          `adaptive softmax: array ${p.name} is ${a === undefined ? 'missing' : `${a.length} values`}, expected ${p.data.length} ([${p.shape.join(' × ')}])`,
        );
      }
    }
    for (const p of this.parameters) p.data.set(arrays[p.name]!);
  }

  forwardBackward(input: FloatArray, targets: Int32Array, rows: number, gradScale: number, dInput: FloatArray): number {
    this.checkCall(input, rows, 'input');
    this.checkCall(dInput, rows, 'dInput');
    const { inputSize: I, headSize } = this.shape;
    const groups = this.rows;
    groups.assign(targets, rows, true);
    if (rows === 0) return 0;

    // Copy the rows every cluster needs before anything is written: dInput may be the input itself.
    const tailRows = groups.start[this.shape.clusterCount]!;
    const gathered = this.gathered.take(tailRows * I);
    const dGathered = this.dGathered.take(tailRows * I);
    embeddingForward(input, groups.order, gathered, tailRows, I);

    // Head: every row. Its softmax cross-entropy turns the logits into their gradient in place.
    const dHead = this.headLogits.take(rows * headSize);
    this.headForward(input, dHead, rows);
    let loss = softmaxCrossEntropy(dHead, groups.headTargets, dHead, rows, headSize, gradScale);
    matmulTransA(dHead, input, this.headWeight.grad, headSize, rows, I, true);
    if (this.headBiasParameter) biasGradient(dHead, this.headBiasParameter.grad, rows, headSize);

    for (let i = 0; i < this.shape.clusterCount; i++) {
      const n = groups.count(i);
      if (n === 0) continue;
      const first = groups.start[i]!;
      const p = this.shape.projectionSize[i]!;
      const o = this.shape.clusterSize[i]!;
      const W0 = this.projections[i]!;
      const W1 = this.outputs[i]!;
      const x = gathered.subarray(first * I, (first + n) * I);
      const projected = this.projected.take(n * p);
      const dLogits = this.clusterLogits.take(n * o);
      matmulTransB(x, W0.data, projected, n, I, p);
      matmulTransB(projected, W1.data, dLogits, n, p, o);
      loss += softmaxCrossEntropy(dLogits, groups.relative.subarray(first, first + n), dLogits, n, o, gradScale);
      // Back through the two bias-free linear maps: W1 [o × p], then W0 [p × I].
      matmulTransA(dLogits, projected, W1.grad, o, n, p, true);
      const dProjected = this.dProjected.take(n * p);
      matmul(dLogits, W1.data, dProjected, n, o, p);
      matmulTransA(dProjected, x, W0.grad, p, n, I, true);
      matmul(dProjected, W0.data, dGathered.subarray(first * I, (first + n) * I), n, p, I);
    }

    matmul(dHead, this.headWeight.data, dInput, rows, headSize, I);
    embeddingBackward(dInput, groups.order, dGathered, tailRows, I);
    return loss;
  }

  logProbAt(input: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    this.checkCall(input, rows, 'input');
    if (out.length < rows) throw new RangeError(`adaptive softmax: out holds ${out.length} values, ${rows} rows asked`);
    const { inputSize: I, headSize } = this.shape;
    const groups = this.rows;
    groups.assign(targets, rows, false);
    if (rows === 0) return;
    const logits = this.headLogits.take(rows * headSize);
    this.headForward(input, logits, rows);
    logSoftmaxAt(logits, groups.headTargets, out, rows, headSize);

    const tailRows = groups.start[this.shape.clusterCount]!;
    if (tailRows === 0) return;
    const gathered = this.gathered.take(tailRows * I);
    embeddingForward(input, groups.order, gathered, tailRows, I);
    if (this.clusterLogProbs.length < tailRows) this.clusterLogProbs = new Float64Array(Math.max(tailRows, Math.ceil(this.clusterLogProbs.length * 1.5)));
    for (let i = 0; i < this.shape.clusterCount; i++) {
      const n = groups.count(i);
      if (n === 0) continue;
      const first = groups.start[i]!;
      const o = this.shape.clusterSize[i]!;
      const clusterLogits = this.clusterForward(i, gathered.subarray(first * I, (first + n) * I), n);
      const within = this.clusterLogProbs.subarray(0, n);
      logSoftmaxAt(clusterLogits, groups.relative.subarray(first, first + n), within, n, o);
      for (let j = 0; j < n; j++) out[groups.order[first + j]!]! += within[j]!;
    }
  }

  logDistribution(input: FloatArray, out: Float64Array): void {
    this.checkCall(input, 1, 'input');
    const { vocabSize, headSize, shortlistSize } = this.shape;
    if (out.length < vocabSize) throw new RangeError(`adaptive softmax: out holds ${out.length} values, the vocabulary ${vocabSize}`);
    const head = this.headLogits.take(headSize);
    this.headForward(input, head, 1);
    logSoftmaxRows(head, head, 1, headSize);
    for (let w = 0; w < shortlistSize; w++) out[w] = head[w]!;
    for (let i = 0; i < this.shape.clusterCount; i++) {
      const o = this.shape.clusterSize[i]!;
      const logits = this.clusterForward(i, input, 1);
      logSoftmaxRows(logits, logits, 1, o);
      const clusterLogProb = head[shortlistSize + i]!;
      const start = this.shape.clusterStart[i]!;
      for (let j = 0; j < o; j++) out[start + j] = clusterLogProb + logits[j]!;
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.parameters) {
      release(p.data);
      release(p.grad);
    }
    for (const s of [this.headLogits, this.gathered, this.dGathered, this.projected, this.dProjected, this.clusterLogits]) s.dispose();
  }

  /** logits[rows × headSize] = input · W_headᵀ (+ b) */
  private headForward(input: FloatArray, logits: FloatArray, rows: number): void {
    matmulTransB(input, this.headWeight.data, logits, rows, this.shape.inputSize, this.shape.headSize);
    if (this.headBiasParameter) addBias(logits, this.headBiasParameter.data, rows, this.shape.headSize);
  }

  /** Cluster i's logits [n × |cluster i|] = (x · W_i,0ᵀ) · W_i,1ᵀ for n rows x, in the layer's scratch. */
  private clusterForward(i: number, x: FloatArray, n: number): FloatArray {
    const p = this.shape.projectionSize[i]!;
    const projected = this.projected.take(n * p);
    const logits = this.clusterLogits.take(n * this.shape.clusterSize[i]!);
    matmulTransB(x, this.projections[i]!.data, projected, n, this.shape.inputSize, p);
    matmulTransB(projected, this.outputs[i]!.data, logits, n, p, this.shape.clusterSize[i]!);
    return logits;
  }

  private checkUsable(): void {
    if (this.disposed) throw new Error('adaptive softmax: used after dispose()');
  }

  private checkCall(a: FloatArray, rows: number, what: string): void {
    this.checkUsable();
    if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`adaptive softmax: bad row count ${rows}`);
    if (a.length < rows * this.shape.inputSize) {
      throw new RangeError(`adaptive softmax: ${what} holds ${a.length} values, ${rows} rows of ${this.shape.inputSize} need ${rows * this.shape.inputSize}`);
    }
    if ((a instanceof Float32Array ? 'float32' : 'float64') !== this.dtype)
      throw new TypeError(`adaptive softmax: ${what} is not ${this.dtype} like the layer`);
  }
}
