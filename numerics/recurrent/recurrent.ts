import { UserError } from '../../errors/user-error.ts';
import { addBias, biasGradient } from '../bias.ts';
import { initUniformFanIn } from '../init.ts';
import { matmul, matmulTransA, matmulTransB } from '../matmul.ts';
import { createParameter, type Parameter } from '../parameter.ts';
import { Random } from '../random.ts';
import { dtypeOf, release, type DType, type FloatArray, type Tensor } from '../tensor.ts';
import { defaultGenerator } from '../torch/default-generator.ts';
import { uniformFill } from '../torch/distributions.ts';
import { inverseSqrtBound } from '../torch/nn-init.ts';
import { resolveOptions, type ParameterSource, type RecurrentOptions, type ResolvedOptions } from './options.ts';
import type { DirectionTape } from './tape.ts';
import { RecurrentWorkspace, type CellKind } from './workspace.ts';

/** The weights of one direction of one layer. */
export interface DirectionWeights {
  readonly wIh: Parameter;
  readonly wHh: Parameter;
  readonly bIh: Parameter | null;
  readonly bHh: Parameter | null;
  readonly inputSize: number;
  readonly reverse: boolean;
}

export interface RecurrentResult {
  /** (T, B, H·dirs), or (B, T, H·dirs) when batchFirst. */
  readonly output: Tensor;
  /** (numLayers·dirs, B, H) */
  readonly hN: Tensor;
}

export interface RecurrentGradients {
  readonly dx: Tensor;
  readonly dh0: Tensor;
}

/**
 * The multi-layer, bidirectional driver that torch.nn.RNN, LSTM and GRU share; a subclass supplies the
 * cell (gate count and the per-step math). Sequences run time-major. For each layer and direction the
 * input projection of all T steps is one matrix product (T·B × I)·W_ihᵀ; each step adds only the
 * recurrent product h_{t−1}·W_hhᵀ. Backward runs BPTT step by step for the hidden-state gradients, then
 * forms every weight gradient as one product over the whole sequence.
 *
 * Arrays returned by `forward`/`backward` belong to the layer's workspace and are overwritten by the next
 * call (like a cuDNN workspace); copy them to keep them.
 */
export abstract class RecurrentLayer {
  readonly options: ResolvedOptions;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly directionCount: number;
  readonly dtype: DType;
  readonly batchFirst: boolean;
  readonly dropout: number;
  /** Dropout is applied only while training, as after PyTorch's `module.train()`. */
  training = true;
  /** Weights in PyTorch's order: layer-major, then forward before reverse. */
  readonly directions: readonly DirectionWeights[];
  private readonly parameters: readonly Parameter[];
  private readonly workspace: RecurrentWorkspace;
  /** Draws the initial parameters, then the dropout masks. */
  random: Random;

  protected constructor(
    options: RecurrentOptions,
    protected readonly kind: CellKind,
    /** Gate blocks in W_ih/W_hh (1 for RNN, 4 for LSTM, 3 for GRU). */
    readonly gateCount: number,
  ) {
    this.options = resolveOptions(options);
    const o = this.options;
    this.inputSize = o.inputSize;
    this.hiddenSize = o.hiddenSize;
    this.numLayers = o.numLayers;
    this.directionCount = o.bidirectional ? 2 : 1;
    this.dtype = o.dtype;
    this.batchFirst = o.batchFirst;
    this.dropout = o.dropout;
    this.random = new Random(o.seed);
    const GH = gateCount * o.hiddenSize;
    const param = (name: string, shape: number[]): Parameter => createParameter(name, shape, o.dtype);
    const directions: DirectionWeights[] = [];
    for (let l = 0; l < o.numLayers; l++) {
      const inputSize = l === 0 ? o.inputSize : o.hiddenSize * this.directionCount;
      for (let d = 0; d < this.directionCount; d++) {
        const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
        directions.push({
          wIh: param(`weight_ih${suffix}`, [GH, inputSize]),
          wHh: param(`weight_hh${suffix}`, [GH, o.hiddenSize]),
          bIh: o.bias ? param(`bias_ih${suffix}`, [GH]) : null,
          bHh: o.bias ? param(`bias_hh${suffix}`, [GH]) : null,
          inputSize,
          reverse: d === 1,
        });
      }
    }
    this.directions = directions;
    this.parameters = directions.flatMap((w) => [w.wIh, w.wHh, ...(w.bIh && w.bHh ? [w.bIh, w.bHh] : [])]);
    this.resetParameters(o.initialization);
    this.workspace = this.createWorkspace();
  }

  /**
   * PyTorch's reset_parameters (`torch/nn/modules/rnn.py`): every weight and bias ~ U(−1/√H, 1/√H), in
   * `named_parameters()` order. From a torch generator (default: the global one) the draws are torch's own,
   * and the dropout masks come from a `Random` seeded with the `seed` option; from a number, everything is
   * drawn from a `Random` stream seeded with it (its masks follow its initial parameters).
   */
  resetParameters(source: ParameterSource = defaultGenerator()): void {
    if (typeof source === 'number') {
      this.random = new Random(source);
      for (const p of this.parameters) initUniformFanIn(p.data, this.hiddenSize, this.random);
      return;
    }
    this.random = new Random(this.options.seed);
    const bound = inverseSqrtBound(this.hiddenSize);
    for (const p of this.parameters) uniformFill(p.data, -bound, bound, source);
  }

  /** Give back the parameters' and the workspace's memory; the layer is unusable afterwards. */
  dispose(): void {
    this.workspace.dispose();
    for (const p of this.parameters) {
      release(p.data);
      release(p.grad);
    }
  }

  /** `{ name, shape, data, grad }` of every parameter, in the order and with the names of PyTorch. */
  namedParameters(): readonly Parameter[] {
    return this.parameters;
  }

  parameterCount(): number {
    let n = 0;
    for (const p of this.parameters) n += p.data.length;
    return n;
  }

  zeroGrad(): void {
    for (const p of this.parameters) p.grad.fill(0);
  }

  train(mode = true): this {
    this.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** A separate set of buffers, so that (say) a scorer can run without disturbing a training step's tape. */
  createWorkspace(): RecurrentWorkspace {
    return new RecurrentWorkspace({
      dtype: this.dtype,
      kind: this.kind,
      gateCount: this.gateCount,
      inputSize: this.inputSize,
      hiddenSize: this.hiddenSize,
      numLayers: this.numLayers,
      directions: this.directionCount,
    });
  }

  // ---- public, PyTorch-shaped entry points -------------------------------------------------------------

  protected forwardTensors(x: Tensor, h0: Tensor | undefined, c0: Tensor | undefined): { output: Tensor; hN: Tensor; cN: Tensor } {
    const { steps: T, batch: B } = this.checkInput(x);
    const stateShape = [this.numLayers * this.directionCount, B, this.hiddenSize];
    if (h0) this.checkTensor('h0', h0, stateShape);
    if (c0) this.checkTensor('c0', c0, stateShape);
    const ws = this.workspace;
    ws.ensure(T, B);
    let input = x.data;
    if (this.batchFirst) {
      input = ws.timeMajorIn.subarray(0, T * B * this.inputSize);
      swapLeadingAxes(x.data, input, B, T, this.inputSize);
    }
    const out = this.forwardTimeMajor(ws, input, T, B, h0?.data, c0?.data);
    const F = this.hiddenSize * this.directionCount;
    let output = out;
    if (this.batchFirst) {
      output = ws.batchMajorOut.subarray(0, T * B * F);
      swapLeadingAxes(out, output, T, B, F);
    }
    const n = this.numLayers * this.directionCount * B * this.hiddenSize;
    return {
      output: { shape: this.batchFirst ? [B, T, F] : [T, B, F], data: output },
      hN: { shape: stateShape, data: ws.hN.subarray(0, n) },
      cN: { shape: stateShape, data: ws.cN.subarray(0, this.kind === 'lstm' ? n : 0) },
    };
  }

  protected backwardTensors(dOutput: Tensor, dHN: Tensor | undefined, dCN: Tensor | undefined): { dx: Tensor; dh0: Tensor; dc0: Tensor } {
    const ws = this.workspace;
    if (!ws.ready) throw new Error('backward() needs a forward() first');
    const T = ws.steps;
    const B = ws.batch;
    const F = this.hiddenSize * this.directionCount;
    const stateShape = [this.numLayers * this.directionCount, B, this.hiddenSize];
    this.checkTensor('dOutput', dOutput, this.batchFirst ? [B, T, F] : [T, B, F]);
    if (dHN) this.checkTensor('dHN', dHN, stateShape);
    if (dCN) this.checkTensor('dCN', dCN, stateShape);
    let dY = dOutput.data;
    if (this.batchFirst) {
      dY = ws.timeMajorDOut.subarray(0, T * B * F);
      swapLeadingAxes(dOutput.data, dY, B, T, F);
    }
    let dx = this.backwardTimeMajor(ws, dY, dHN?.data, dCN?.data);
    if (this.batchFirst) {
      const bm = ws.batchMajorDIn.subarray(0, T * B * this.inputSize);
      swapLeadingAxes(dx, bm, T, B, this.inputSize);
      dx = bm;
    }
    const n = this.numLayers * this.directionCount * B * this.hiddenSize;
    return {
      dx: { shape: this.batchFirst ? [B, T, this.inputSize] : [T, B, this.inputSize], data: dx },
      dh0: { shape: stateShape, data: ws.dh0.subarray(0, n) },
      dc0: { shape: stateShape, data: ws.dc0.subarray(0, this.kind === 'lstm' ? n : 0) },
    };
  }

  private checkInput(x: Tensor): { steps: number; batch: number } {
    if (x.shape.length !== 3)
      throw new UserError(`recurrent layer input must have 3 dimensions (${this.batchFirst ? 'B, T, I' : 'T, B, I'}), got [${x.shape.join(', ')}]`);
    const [a, b] = x.shape as [number, number, number];
    this.checkTensor('input', x, [a, b, this.inputSize]);
    if (a < 1 || b < 1) throw new UserError(`recurrent layer input has an empty dimension: [${x.shape.join(', ')}]`);
    return this.batchFirst ? { steps: b, batch: a } : { steps: a, batch: b };
  }

  private checkTensor(what: string, t: Tensor, shape: readonly number[]): void {
    if (t.shape.length !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new UserError(`recurrent layer ${what} must have shape [${shape.join(', ')}], got [${t.shape.join(', ')}]`);
    }
    if (t.data.length !== t.shape.reduce((p, d) => p * d, 1)) {
      throw new UserError(`recurrent layer ${what}: data has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    }
    if (dtypeOf(t.data) !== this.dtype) throw new UserError(`recurrent layer ${what} is ${dtypeOf(t.data)}, the layer is ${this.dtype}`);
  }

  // ---- time-major core (used directly by the language models) -------------------------------------------

  /**
   * Run every layer over x (T·B × I, time-major) from h0/c0 (zeros if absent; (L·dirs) × B × H). Returns
   * the top layer's output (T·B × H·dirs), a view into `ws`; the final states land in `ws.hN`/`ws.cN`.
   * `training` (default: the layer's mode) turns the dropout between layers on.
   */
  forwardTimeMajor(ws: RecurrentWorkspace, x: FloatArray, T: number, B: number, h0?: FloatArray, c0?: FloatArray, training = this.training): FloatArray {
    ws.ensure(T, B);
    const H = this.hiddenSize;
    const D = this.directionCount;
    const L = this.numLayers;
    const rows = T * B;
    let input = x.subarray(0, rows * this.inputSize);
    let out = input;
    for (let l = 0; l < L; l++) {
      ws.inputs[l] = input;
      for (let d = 0; d < D; d++) this.forwardDirection(ws, l, d, input, T, B, h0, c0);
      const tapes = ws.tapes[l]!;
      if (D === 1) {
        out = tapes[0]!.h.subarray(B * H, (T + 1) * B * H);
      } else {
        out = ws.concat[l]!.subarray(0, rows * H * D);
        const fwd = tapes[0]!.h;
        const rev = tapes[1]!.h;
        // forward h_t is in slot t + 1 (row r + B), reverse h_t in slot t (row r).
        for (let r = 0; r < rows; r++) {
          const o = r * 2 * H;
          const f = (r + B) * H;
          const b = r * H;
          for (let j = 0; j < H; j++) {
            out[o + j] = fwd[f + j]!;
            out[o + H + j] = rev[b + j]!;
          }
        }
      }
      const drop = l < L - 1 && training && this.dropout > 0;
      ws.dropoutApplied[l] = drop;
      if (drop) {
        const mask = ws.masks[l]!.subarray(0, out.length);
        const dropped = ws.dropped[l]!.subarray(0, out.length);
        this.random.dropoutMask(mask, this.dropout);
        for (let k = 0; k < out.length; k++) dropped[k] = out[k]! * mask[k]!;
        input = dropped;
      } else {
        input = out;
      }
    }
    // Final states: forward direction at t = T − 1 (slot T), reverse at t = 0 (slot 0).
    const BH = B * H;
    for (let l = 0; l < L; l++) {
      for (let d = 0; d < D; d++) {
        const tape = ws.tapes[l]![d]!;
        const slot = d === 0 ? T : 0;
        const at = (l * D + d) * BH;
        ws.hN.set(tape.h.subarray(slot * BH, (slot + 1) * BH), at);
        if (this.kind === 'lstm') ws.cN.set(tape.c.subarray(slot * BH, (slot + 1) * BH), at);
      }
    }
    ws.output = out;
    ws.ready = true;
    return out;
  }

  /**
   * BPTT through the last forward on `ws`, given dY (T·B × H·dirs) and optionally the gradients of the
   * final states. Accumulates every parameter's grad; returns dx (T·B × I, a view into `ws`) and leaves
   * dh0/dc0 in `ws.dh0`/`ws.dc0`. dY is not modified.
   */
  backwardTimeMajor(ws: RecurrentWorkspace, dY: FloatArray, dHN?: FloatArray, dCN?: FloatArray): FloatArray {
    if (!ws.ready) throw new Error('backward needs a forward on the same workspace first');
    const T = ws.steps;
    const B = ws.batch;
    const rows = T * B;
    let grad = dY;
    let dInput = grad;
    for (let l = this.numLayers - 1; l >= 0; l--) {
      const width = l === 0 ? this.inputSize : this.hiddenSize * this.directionCount;
      dInput = ws.dInput[l]!.subarray(0, rows * width);
      for (let d = 0; d < this.directionCount; d++) this.backwardDirection(ws, l, d, grad, dInput, dHN, dCN);
      if (l > 0 && ws.dropoutApplied[l - 1]) {
        const mask = ws.masks[l - 1]!;
        for (let k = 0; k < dInput.length; k++) dInput[k] = dInput[k]! * mask[k]!;
      }
      grad = dInput;
    }
    return dInput;
  }

  private forwardDirection(ws: RecurrentWorkspace, l: number, d: number, x: FloatArray, T: number, B: number, h0?: FloatArray, c0?: FloatArray): void {
    const w = this.directions[l * this.directionCount + d]!;
    const tape = ws.tapes[l]![d]!;
    const H = this.hiddenSize;
    const GH = this.gateCount * H;
    const rows = T * B;
    const gates = tape.gates.subarray(0, rows * GH);
    matmulTransB(x, w.wIh.data, gates, rows, w.inputSize, GH);
    // RNN and LSTM add b_hh with b_ih once here; the GRU's b_hn sits inside r ⊙ (·) and stays per step.
    if (w.bIh) addBias(gates, w.bIh.data, rows, GH);
    if (w.bHh && this.kind !== 'gru') addBias(gates, w.bHh.data, rows, GH);
    const BH = B * H;
    const first = w.reverse ? T : 0;
    const at = (l * this.directionCount + d) * BH;
    if (h0) tape.h.set(h0.subarray(at, at + BH), first * BH);
    else tape.h.fill(0, first * BH, (first + 1) * BH);
    if (this.kind === 'lstm') {
      if (c0) tape.c.set(c0.subarray(at, at + BH), first * BH);
      else tape.c.fill(0, first * BH, (first + 1) * BH);
    }
    const gru = this.kind === 'gru';
    for (let s = 0; s < T; s++) {
      const t = w.reverse ? T - 1 - s : s;
      const prev = w.reverse ? t + 1 : t;
      const next = w.reverse ? t : t + 1;
      if (gru) matmulTransB(tape.hSlot[prev]!, w.wHh.data, tape.hwRows, B, H, GH);
      else matmulTransB(tape.hSlot[prev]!, w.wHh.data, tape.gateRows[t]!, B, H, GH, true);
      this.stepForward(tape, w, t, prev, next, B);
    }
  }

  private backwardDirection(ws: RecurrentWorkspace, l: number, d: number, dY: FloatArray, dInput: FloatArray, dHN?: FloatArray, dCN?: FloatArray): void {
    const w = this.directions[l * this.directionCount + d]!;
    const tape = ws.tapes[l]![d]!;
    const T = ws.steps;
    const B = ws.batch;
    const H = this.hiddenSize;
    const GH = this.gateCount * H;
    const BH = B * H;
    const rows = T * B;
    const at = (l * this.directionCount + d) * BH;
    const dh = tape.dhNextRows;
    if (dHN) dh.set(dHN.subarray(at, at + BH));
    else dh.fill(0);
    if (this.kind === 'lstm') {
      if (dCN) tape.dcNext.set(dCN.subarray(at, at + BH));
      else tape.dcNext.fill(0, 0, BH);
    }
    const stride = H * this.directionCount;
    const offset = d * H;
    const gru = this.kind === 'gru';
    for (let s = 0; s < T; s++) {
      const t = w.reverse ? s : T - 1 - s;
      const prev = w.reverse ? t + 1 : t;
      const next = w.reverse ? t : t + 1;
      this.stepBackward(tape, w, t, prev, next, B, dY, stride, offset);
      // dh_{prev} (+)= dA_hh · W_hh; the GRU's cell has already put its direct term z ⊙ dh there.
      matmul(tape.dHiddenRows[t]!, w.wHh.data, dh, B, GH, H, gru);
    }
    ws.dh0.set(dh, at);
    if (this.kind === 'lstm') ws.dc0.set(tape.dcNext.subarray(0, BH), at);

    // Weight gradients, each one product over all T·B rows.
    const dGates = tape.gates.subarray(0, rows * GH);
    const dHidden = this.kind === 'gru' ? tape.dHidden.subarray(0, rows * GH) : dGates;
    const hPrev = w.reverse ? tape.h.subarray(BH, (T + 1) * BH) : tape.h.subarray(0, T * BH);
    matmulTransA(dGates, ws.inputs[l]!, w.wIh.grad, GH, rows, w.inputSize, true);
    matmulTransA(dHidden, hPrev, w.wHh.grad, GH, rows, H, true);
    if (w.bIh) biasGradient(dGates, w.bIh.grad, rows, GH);
    if (w.bHh) biasGradient(dHidden, w.bHh.grad, rows, GH);
    matmul(dGates, w.wIh.data, dInput, rows, GH, w.inputSize, d > 0);
  }

  /**
   * One step forward, element-wise: the gate rows of step t hold W_ih·x_t + biases + W_hh·h_prev (for the
   * GRU, the recurrent product is in `tape.hwRows` instead); compute the state of slot `next` from slot
   * `prev`, and leave in the gate rows what backward needs.
   */
  protected abstract stepForward(tape: DirectionTape, w: DirectionWeights, t: number, prev: number, next: number, B: number): void;

  /**
   * One step of BPTT, element-wise: with tape.dhNextRows (and dcNext) holding the gradient reaching h (c)
   * of slot `next` from later steps, add dY's slice, write the pre-activation gradients into the gate rows
   * of step t (GRU: the recurrent ones into tape.dHidden too), and update dcNext to the gradient of slot
   * `prev`. The driver then adds the recurrent product into tape.dhNextRows (the GRU first writes its
   * direct path z ⊙ dh there).
   */
  protected abstract stepBackward(
    tape: DirectionTape,
    w: DirectionWeights,
    t: number,
    prev: number,
    next: number,
    B: number,
    dY: FloatArray,
    stride: number,
    offset: number,
  ): void;
}

/** RNN and GRU: a hidden state only (no cell state); `forward(x, h0?)` as in PyTorch. */
export abstract class HiddenStateLayer extends RecurrentLayer {
  forward(x: Tensor, h0?: Tensor): RecurrentResult {
    const { output, hN } = this.forwardTensors(x, h0, undefined);
    return { output, hN };
  }

  backward(grads: { dOutput: Tensor; dHN?: Tensor }): RecurrentGradients {
    const { dx, dh0 } = this.backwardTensors(grads.dOutput, grads.dHN, undefined);
    return { dx, dh0 };
  }
}

/** (A, B, F) → (B, A, F) */
export function swapLeadingAxes(src: FloatArray, dst: FloatArray, a: number, b: number, f: number): void {
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < b; j++) {
      const from = (i * b + j) * f;
      const to = (j * a + i) * f;
      for (let k = 0; k < f; k++) dst[to + k] = src[from + k]!;
    }
  }
}
