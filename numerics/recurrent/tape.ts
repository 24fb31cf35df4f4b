import type { DType, FloatArray } from '../tensor.ts';
import type { OwnedArrays } from '../owned-arrays.ts';

/**
 * What one direction of one layer keeps between forward and backward, time-major (row = t·B + b).
 *
 * `h` holds T + 1 slots of B rows: the forward direction keeps h0 in slot 0 and h_t in slot t + 1; the
 * reverse direction keeps h_t in slot t and h0 in slot T. Either way the states a step reads (h_{t−1},
 * or h_{t+1} going backwards) form one contiguous block aligned with the gate rows, so the recurrent
 * weight gradient is one matrix product over the whole sequence.
 */
export class DirectionTape {
  /** T·B × G·H: input projections, then (in place) gate activations, then (backward) gate gradients. */
  gates: FloatArray;
  /** (T + 1)·B × H hidden states, slots as described above. */
  h: FloatArray;
  /** LSTM: (T + 1)·B × H cell states, slots as for `h`. */
  c: FloatArray;
  /** LSTM: T·B × H, tanh(c_t). */
  tanhC: FloatArray;
  /** GRU: B × G·H recurrent product of the current step. */
  hw: FloatArray;
  /** GRU: T·B × H, W_hn·h_{t−1} + b_hn (the term r gates). */
  hn: FloatArray;
  /** GRU: T·B × G·H gradients of the recurrent pre-activations (differ from `gates` in the n block). */
  dHidden: FloatArray;
  /** B × H gradient flowing to the previous step's hidden (and cell) state. */
  dhNext: FloatArray;
  dcNext: FloatArray;

  /** Per-step views for the matrix products (built once per batch size, never per step). */
  hSlot: FloatArray[] = [];
  gateRows: FloatArray[] = [];
  dHiddenRows: FloatArray[] = [];
  /** `dhNext` and `hw` cut to exactly B rows. */
  dhNextRows: FloatArray = new Float64Array(0);
  hwRows: FloatArray = new Float64Array(0);
  private viewsFor = { batch: -1, rows: -1 };

  constructor(
    owner: OwnedArrays,
    readonly dtype: DType,
    readonly hidden: number,
    readonly gateCount: number,
    readonly kind: 'rnn' | 'lstm' | 'gru',
    private readonly rows: number,
    batch: number,
  ) {
    const H = hidden;
    const GH = gateCount * H;
    this.gates = owner.take(rows * GH);
    this.h = owner.take((rows + batch) * H);
    const lstm = kind === 'lstm';
    const gru = kind === 'gru';
    this.c = owner.take(lstm ? (rows + batch) * H : 0);
    this.tanhC = owner.take(lstm ? rows * H : 0);
    this.hw = owner.take(gru ? batch * GH : 0);
    this.hn = owner.take(gru ? rows * H : 0);
    this.dHidden = owner.take(gru ? rows * GH : 0);
    this.dhNext = owner.take(batch * H);
    this.dcNext = owner.take(lstm ? batch * H : 0);
  }

  /** Make the per-step views for batch size B (a no-op when they already exist). */
  viewsForBatch(batch: number): void {
    if (this.viewsFor.batch === batch && this.viewsFor.rows === this.rows) return;
    const H = this.hidden;
    const GH = this.gateCount * H;
    const steps = Math.floor(this.rows / batch);
    this.hSlot = [];
    this.gateRows = [];
    this.dHiddenRows = [];
    for (let s = 0; s <= steps; s++) this.hSlot.push(this.h.subarray(s * batch * H, (s + 1) * batch * H));
    for (let t = 0; t < steps; t++) {
      this.gateRows.push(this.gates.subarray(t * batch * GH, (t + 1) * batch * GH));
      if (this.kind === 'gru') this.dHiddenRows.push(this.dHidden.subarray(t * batch * GH, (t + 1) * batch * GH));
    }
    if (this.kind !== 'gru') this.dHiddenRows = this.gateRows;
    this.dhNextRows = this.dhNext.subarray(0, batch * H);
    this.hwRows = this.hw.subarray(0, this.kind === 'gru' ? batch * GH : 0);
    this.viewsFor = { batch, rows: this.rows };
  }
}
