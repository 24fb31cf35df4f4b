import type { Parameter } from '../parameter.ts';
import type { FloatArray } from '../tensor.ts';

/**
 * An output layer of a neural language model: from a row of features z (width `inputSize`, e.g. an RNN's top
 * hidden state or the window model's [tanh(d + Hx) | x]) to P(w | z) over the vocabulary, exactly normalised.
 * The full softmax is one; the class-factored softmax (Goodman 2001; Mikolov et al. 2011) and the adaptive softmax
 * (Grave et al. 2017) are others. A layer owns its parameters and their gradients; the arrays it is handed belong
 * to the caller. Rows are row-major [rows × inputSize].
 */
export interface OutputLayer {
  readonly vocabSize: number;
  readonly inputSize: number;
  /** Its parameters, in a fixed order (the checkpoint's and the optimiser's). */
  readonly parameters: readonly Parameter[];

  /**
   * Training: returns Σ_r −ln P(targets[r] | z_r) over the first `rows` rows, accumulates into every parameter's
   * `grad` the gradient of gradScale · that sum, and writes (overwrites) dInput = its gradient with respect to
   * the input rows. For torch's mean reduction pass gradScale = 1 / rows. A row whose target is `IGNORE_INDEX`
   * (`numerics/cross-entropy.ts`, padding) adds no loss and gets a zero gradient, as in torch's cross-entropy.
   */
  forwardBackward(input: FloatArray, targets: Int32Array, rows: number, gradScale: number, dInput: FloatArray): number;

  /** Scoring: out[r] = ln P(targets[r] | z_r) for the first `rows` rows, at a cost that does not grow with |V| where the layer allows. */
  logProbAt(input: FloatArray, targets: Int32Array, rows: number, out: Float64Array): void;

  /** One row's whole distribution: out[w] = ln P(w | z) for every w (may cost O(|V|)). */
  logDistribution(input: FloatArray, out: Float64Array): void;

  /** Give back the parameters' and buffers' kernel memory; the layer is unusable afterwards. */
  dispose(): void;
}
