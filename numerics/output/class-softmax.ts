import { addBias, biasGradient } from '../bias.ts';
import { IGNORE_INDEX, softmaxCrossEntropy } from '../cross-entropy.ts';
import { matmul, matmulTransA, matmulTransB } from '../matmul.ts';
import { OwnedArrays } from '../owned-arrays.ts';
import { createParameter, createRowSparseParameter, type Parameter } from '../parameter.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../softmax.ts';
import { release, type DType, type FloatArray } from '../tensor.ts';
import type { OutputLayer } from './output-layer.ts';
import type { WordClasses } from './word-classes.ts';

export interface ClassSoftmaxShape {
  readonly vocabSize: number;
  /** Width K of the input rows z. */
  readonly inputSize: number;
  readonly numClasses: number;
  readonly dtype: DType;
  /** Prefix of the parameters' names (`decoder` → `decoder.class.weight`, …). */
  readonly name: string;
}

/**
 * The class-factored softmax (Goodman 2001, "Classes for fast maximum entropy training"; Mikolov et al. 2011,
 * "Extensions of recurrent neural network language model", eq. 4–6): with each word w in one class c(w),
 *
 *   P(w | z) = P(c(w) | z) · P(w | c(w), z)
 *   P(c | z) = softmax_c(V_c z + a_c)                 over the C classes
 *   P(w | c, z) = softmax_{w ∈ c}(U_w z + b_w)        over the words of class c only
 *
 * exactly normalised (each factor is a softmax), at a cost of O(C + |c(w)|) per predicted word instead of O(|V|).
 * Parameters: V (`class.weight`, C × K), a (`class.bias`), U (`word.weight`, |V| × K) and b (`word.bias`), with the
 * rows of U and b stored in class order (`WordClasses.order`), so each class's words are one block and one matrix
 * product serves every row whose target is in that class.
 */
export class ClassSoftmax implements OutputLayer {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly numClasses: number;
  readonly classWeight: Parameter;
  readonly classBias: Parameter;
  readonly wordWeight: Parameter;
  readonly wordBias: Parameter;
  readonly parameters: readonly Parameter[];
  private classesOf: WordClasses;
  private readonly scratch: OwnedArrays;
  private capacityRows = 0;
  private capacityBlock = 0;
  private classLogits: FloatArray;
  private gathered: FloatArray;
  private dGathered: FloatArray;
  private block: FloatArray;
  private rowOrder = new Int32Array(0);
  private classTargets = new Int32Array(0);
  private localTargets = new Int32Array(0);
  private blockLogProbs = new Float64Array(0);
  private readonly rowStarts: Int32Array;
  private readonly cursor: Int32Array;

  constructor(shape: ClassSoftmaxShape, classes: WordClasses) {
    const { vocabSize: V, inputSize: K, numClasses: C, dtype, name } = shape;
    this.vocabSize = V;
    this.inputSize = K;
    this.numClasses = C;
    this.classesOf = classes;
    this.checkClasses(classes);
    this.classWeight = createParameter(`${name}.class.weight`, [C, K], dtype);
    this.classBias = createParameter(`${name}.class.bias`, [C], dtype);
    // Row-sparse: a step writes the gradient of the word rows of its targets' classes only.
    this.wordWeight = createRowSparseParameter(`${name}.word.weight`, [V, K], dtype);
    this.wordBias = createRowSparseParameter(`${name}.word.bias`, [V], dtype);
    this.parameters = [this.classWeight, this.classBias, this.wordWeight, this.wordBias];
    this.scratch = new OwnedArrays(dtype);
    this.classLogits = this.gathered = this.dGathered = this.block = new Float64Array(0);
    this.rowStarts = new Int32Array(C + 1);
    this.cursor = new Int32Array(C);
  }

  get classes(): WordClasses {
    return this.classesOf;
  }

  /**
   * Use another partition of the same vocabulary into the same number of classes (a model builds its classes from
   * the training counts when training starts). The word rows are not moved: set the classes before initialising.
   */
  setClasses(classes: WordClasses): void {
    this.checkClasses(classes);
    this.classesOf = classes;
  }

  private checkClasses(classes: WordClasses): void {
    if (classes.vocabSize !== this.vocabSize || classes.numClasses !== this.numClasses) {
      throw new RangeError(
        `class softmax: classes of ${classes.vocabSize} words in ${classes.numClasses} classes for a layer of ${this.vocabSize} in ${this.numClasses}`,
      );
    }
  }

  dispose(): void {
    this.scratch.releaseAll();
    for (const p of this.parameters) {
      release(p.data);
      release(p.grad);
    }
  }

  /** Scratch for `rows` rows and a class block of `blockElements` logits, grown (doubling) as needed. */
  private reserve(rows: number, blockElements: number): void {
    if (rows <= this.capacityRows && blockElements <= this.capacityBlock) return;
    const R = Math.max(rows, this.capacityRows, 64);
    const B = Math.max(blockElements, 2 * this.capacityBlock, 4096);
    this.scratch.releaseAll();
    this.classLogits = this.scratch.take(R * this.numClasses);
    this.gathered = this.scratch.take(R * this.inputSize);
    this.dGathered = this.scratch.take(R * this.inputSize);
    this.block = this.scratch.take(B);
    this.rowOrder = new Int32Array(R);
    this.classTargets = new Int32Array(R);
    this.localTargets = new Int32Array(R);
    this.blockLogProbs = new Float64Array(R);
    this.capacityRows = R;
    this.capacityBlock = B;
  }

  /**
   * Group the rows by their target's class (a counting sort, stable): rowOrder lists the rows class by class,
   * rowStarts[c] where class c's rows begin; gathered holds the input rows in that order. Rows whose target is
   * `IGNORE_INDEX` (padding) are left out. Returns the largest block of logits one class needs (its rows × its words).
   */
  private groupRows(input: FloatArray, targets: Int32Array, rows: number): number {
    const { classOf, starts } = this.classesOf;
    const K = this.inputSize;
    const C = this.numClasses;
    const rowStarts = this.rowStarts;
    rowStarts.fill(0);
    for (let r = 0; r < rows; r++) {
      const t = targets[r]!;
      if (t === IGNORE_INDEX) continue;
      if (!(t >= 0 && t < this.vocabSize)) throw new RangeError(`target ${t} of row ${r} is outside 0..${this.vocabSize - 1}`);
      rowStarts[classOf[t]! + 1]!++;
    }
    let largest = 0;
    for (let c = 0; c < C; c++) {
      largest = Math.max(largest, rowStarts[c + 1]! * (starts[c + 1]! - starts[c]!));
      rowStarts[c + 1]! += rowStarts[c]!;
    }
    this.reserve(rows, largest);
    const next = this.cursor;
    next.set(rowStarts.subarray(0, C));
    for (let r = 0; r < rows; r++) {
      if (targets[r] === IGNORE_INDEX) continue;
      const c = classOf[targets[r]!]!;
      const i = next[c]!++;
      this.rowOrder[i] = r;
      this.gathered.set(input.subarray(r * K, (r + 1) * K), i * K);
    }
    return largest;
  }

  /** The class logits V z + a of every row (rows × C), and each row's class target. */
  private classScores(input: FloatArray, targets: Int32Array, rows: number): FloatArray {
    const C = this.numClasses;
    const logits = this.classLogits.subarray(0, rows * C);
    matmulTransB(input, this.classWeight.data, logits, rows, this.inputSize, C, false);
    addBias(logits, this.classBias.data, rows, C);
    const { classOf } = this.classesOf;
    for (let r = 0; r < rows; r++) this.classTargets[r] = targets[r] === IGNORE_INDEX ? IGNORE_INDEX : classOf[targets[r]!]!;
    return logits;
  }

  /**
   * For each class with rows, its block of within-class logits U_c z + b_c ([rows of c] × [words of c]), handed to
   * `visit` with the class's first row in `rowOrder`, its row count and its first word position. Targets are made
   * local to the class (position − start) in `localTargets`. Classes of one word are skipped: P(w | c, z) = 1.
   */
  private forEachClassBlock(targets: Int32Array, visit: (block: FloatArray, first: number, count: number, start: number, words: number) => void): void {
    const { starts, positionOf } = this.classesOf;
    const K = this.inputSize;
    for (let c = 0; c < this.numClasses; c++) {
      const first = this.rowStarts[c]!;
      const count = this.rowStarts[c + 1]! - first;
      const start = starts[c]!;
      const words = starts[c + 1]! - start;
      if (count === 0 || words === 1) continue;
      for (let i = first; i < first + count; i++) this.localTargets[i] = positionOf[targets[this.rowOrder[i]!]!]! - start;
      const block = this.block.subarray(0, count * words);
      const z = this.gathered.subarray(first * K, (first + count) * K);
      matmulTransB(z, this.wordWeight.data.subarray(start * K, (start + words) * K), block, count, K, words, false);
      addBias(block, this.wordBias.data.subarray(start, start + words), count, words);
      visit(block, first, count, start, words);
    }
  }

  forwardBackward(input: FloatArray, targets: Int32Array, rows: number, gradScale: number, dInput: FloatArray): number {
    const K = this.inputSize;
    const C = this.numClasses;
    this.groupRows(input, targets, rows);
    // −ln P(c | z) and its gradient (in place over the class logits), then dz = dlogits · V.
    const classLogits = this.classScores(input, targets, rows);
    let loss = softmaxCrossEntropy(classLogits, this.classTargets, classLogits, rows, C, gradScale);
    matmulTransA(classLogits, input, this.classWeight.grad, C, rows, K, true);
    biasGradient(classLogits, this.classBias.grad, rows, C);
    matmul(classLogits, this.classWeight.data, dInput, rows, C, K, false);
    // −ln P(w | c, z), class by class over the gathered rows; dz of those rows goes to dGathered, then back in place.
    const U = this.wordWeight;
    const b = this.wordBias;
    const dGathered = this.dGathered.subarray(0, rows * K);
    dGathered.fill(0);
    this.forEachClassBlock(targets, (block, first, count, start, words) => {
      const local = this.localTargets.subarray(first, first + count);
      loss += softmaxCrossEntropy(block, local, block, count, words, gradScale);
      const z = this.gathered.subarray(first * K, (first + count) * K);
      matmulTransA(block, z, U.grad.subarray(start * K, (start + words) * K), words, count, K, true);
      biasGradient(block, b.grad.subarray(start, start + words), count, words);
      U.touched?.markRange(start, start + words);
      b.touched?.markRange(start, start + words);
      matmul(block, U.data.subarray(start * K, (start + words) * K), dGathered.subarray(first * K, (first + count) * K), count, words, K, false);
    });
    for (let i = 0; i < this.rowStarts[C]!; i++) {
      const o = this.rowOrder[i]! * K;
      for (let j = 0; j < K; j++) dInput[o + j] = dInput[o + j]! + dGathered[i * K + j]!;
    }
    return loss;
  }

  logProbAt(input: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void {
    this.groupRows(input, targets, rows);
    const classLogits = this.classScores(input, targets, rows);
    logSoftmaxAt(classLogits, this.classTargets, out, rows, this.numClasses);
    this.forEachClassBlock(targets, (block, first, count, _start, words) => {
      const within = this.blockLogProbs.subarray(0, count);
      logSoftmaxAt(block, this.localTargets.subarray(first, first + count), within, count, words);
      for (let i = 0; i < count; i++) out[this.rowOrder[first + i]!] = out[this.rowOrder[first + i]!]! + within[i]!;
    });
  }

  logDistribution(input: FloatArray, out: Float64Array): void {
    const { order, starts } = this.classesOf;
    const V = this.vocabSize;
    const C = this.numClasses;
    const K = this.inputSize;
    this.reserve(1, V);
    const classLogits = this.classLogits.subarray(0, C);
    matmulTransB(input.subarray(0, K), this.classWeight.data, classLogits, 1, K, C, false);
    addBias(classLogits, this.classBias.data, 1, C);
    const classLogProbs = new Float64Array(C);
    logSoftmaxRows(classLogits, classLogProbs, 1, C);
    // Every word's logit in one product (class order), then a log-softmax within each class's block.
    const logits = this.block.subarray(0, V);
    matmulTransB(input.subarray(0, K), this.wordWeight.data, logits, 1, K, V, false);
    addBias(logits, this.wordBias.data, 1, V);
    const within = new Float64Array(V);
    for (let c = 0; c < C; c++) {
      const s = starts[c]!;
      const n = starts[c + 1]! - s;
      logSoftmaxRows(logits.subarray(s, s + n), within.subarray(s, s + n), 1, n);
      for (let i = s; i < s + n; i++) out[order[i]!] = classLogProbs[c]! + within[i]!;
    }
  }
}
