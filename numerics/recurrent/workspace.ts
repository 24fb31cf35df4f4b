import type { DType, FloatArray } from '../tensor.ts';
import { OwnedArrays } from '../owned-arrays.ts';
import { DirectionTape } from './tape.ts';

export type CellKind = 'rnn' | 'lstm' | 'gru';

export interface WorkspaceShape {
  readonly dtype: DType;
  readonly kind: CellKind;
  readonly gateCount: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly directions: number;
}

/**
 * Every buffer one forward/backward pass of a stacked recurrent layer needs, sized for T·B rows and grown
 * (never shrunk) when a larger batch comes. A training loop and a scorer each hold their own, so neither
 * re-allocates when the other runs; nothing is allocated per time step.
 */
export class RecurrentWorkspace {
  /** [layer][direction] */
  tapes: DirectionTape[][] = [];
  /** Per layer < L − 1: the dropout mask (0 or 1/(1 − p)) and the masked output, T·B × H·dirs. */
  masks: FloatArray[] = [];
  dropped: FloatArray[] = [];
  dropoutApplied: boolean[] = [];
  /** Per layer, bidirectional only: [forward, reverse] outputs side by side, T·B × 2H. */
  concat: FloatArray[] = [];
  /** Per layer: the gradient of its input, T·B × I_l. */
  dInput: FloatArray[] = [];
  /** Per layer: the input it read in the last forward (a view, kept for the weight gradients). */
  inputs: FloatArray[] = [];
  /** batch-first copies: (T, B, ·) versions of input, output and their gradients. */
  timeMajorIn: FloatArray;
  timeMajorDOut: FloatArray;
  batchMajorOut: FloatArray;
  batchMajorDIn: FloatArray;
  /** (L·dirs, B, H) */
  hN: FloatArray;
  cN: FloatArray;
  dh0: FloatArray;
  dc0: FloatArray;

  /** Shape of the last forward: steps and batch. */
  steps = 0;
  batch = 0;
  /** The last forward's output (time-major view). */
  output: FloatArray;
  /** A forward has run and backward may follow. */
  ready = false;

  private rows = 0;
  private maxBatch = 0;
  private readonly owned: OwnedArrays;

  constructor(readonly shape: WorkspaceShape) {
    this.owned = new OwnedArrays(shape.dtype);
    // Placeholders until the first `ensure`.
    const none = new Float64Array(0);
    this.timeMajorIn = this.timeMajorDOut = this.batchMajorOut = this.batchMajorDIn = none;
    this.hN = this.cN = this.dh0 = this.dc0 = this.output = none;
  }

  /** The arrays of this workspace, for an owner that releases them with its own. */
  get arrays(): OwnedArrays {
    return this.owned;
  }

  /** Make room for T steps of B sequences (re-allocating only when they do not fit). */
  ensure(steps: number, batch: number): void {
    const needRows = steps * batch;
    if (needRows > this.rows || batch > this.maxBatch) {
      this.allocateFor(Math.max(needRows, Math.ceil(this.rows * 1.5)), Math.max(batch, this.maxBatch));
    }
    for (const layer of this.tapes) for (const tape of layer) tape.viewsForBatch(batch);
    this.steps = steps;
    this.batch = batch;
  }

  /** Give every buffer back (the workspace is empty afterwards and re-allocates on the next `ensure`). */
  dispose(): void {
    this.owned.releaseAll();
    this.rows = 0;
    this.maxBatch = 0;
    this.tapes = [];
    this.ready = false;
  }

  private allocateFor(rows: number, batch: number): void {
    const { dtype, kind, gateCount, inputSize, hiddenSize: H, numLayers: L, directions: D } = this.shape;
    this.owned.releaseAll();
    const take = (n: number): FloatArray => this.owned.take(n);
    this.rows = rows;
    this.maxBatch = batch;
    this.tapes = [];
    this.masks = [];
    this.dropped = [];
    this.concat = [];
    this.dInput = [];
    for (let l = 0; l < L; l++) {
      const layer: DirectionTape[] = [];
      for (let d = 0; d < D; d++) layer.push(new DirectionTape(this.owned, dtype, H, gateCount, kind, rows, batch));
      this.tapes.push(layer);
      this.concat.push(take(D > 1 ? rows * H * D : 0));
      this.masks.push(take(l < L - 1 ? rows * H * D : 0));
      this.dropped.push(take(l < L - 1 ? rows * H * D : 0));
      this.dInput.push(take(rows * (l === 0 ? inputSize : H * D)));
    }
    this.timeMajorIn = take(rows * inputSize);
    this.batchMajorDIn = take(rows * inputSize);
    this.timeMajorDOut = take(rows * H * D);
    this.batchMajorOut = take(rows * H * D);
    this.hN = take(L * D * batch * H);
    this.cN = take(kind === 'lstm' ? L * D * batch * H : 0);
    this.dh0 = take(L * D * batch * H);
    this.dc0 = take(kind === 'lstm' ? L * D * batch * H : 0);
    this.ready = false;
  }
}
