import type { FloatArray } from '../tensor.ts';
import type { RNNOptions } from './options.ts';
import { HiddenStateLayer, type DirectionWeights } from './recurrent.ts';
import type { DirectionTape } from './tape.ts';
import { UserError } from '../../errors/user-error.ts';

/**
 * torch.nn.RNN, the Elman network: h_t = φ(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), φ = tanh or ReLU.
 */
export class RNN extends HiddenStateLayer {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(options: RNNOptions) {
    super(options, 'rnn', 1);
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new UserError(`RNN option "nonlinearity" must be 'tanh' or 'relu', got ${String(nl)}`);
    this.nonlinearity = nl;
  }

  protected stepForward(tape: DirectionTape, _w: DirectionWeights, t: number, _prev: number, next: number, B: number): void {
    const H = this.hiddenSize;
    const g = tape.gates;
    const h = tape.h;
    const n = B * H;
    const gi = t * n;
    const hi = next * n;
    if (this.nonlinearity === 'tanh') {
      for (let k = 0; k < n; k++) h[hi + k] = g[gi + k] = Math.tanh(g[gi + k]!);
    } else {
      for (let k = 0; k < n; k++) {
        const a = g[gi + k]!;
        h[hi + k] = g[gi + k] = a > 0 ? a : 0;
      }
    }
  }

  protected stepBackward(
    tape: DirectionTape,
    _w: DirectionWeights,
    t: number,
    _prev: number,
    _next: number,
    B: number,
    dY: FloatArray,
    stride: number,
    offset: number,
  ): void {
    const H = this.hiddenSize;
    const g = tape.gates;
    const dh = tape.dhNextRows;
    const tanh = this.nonlinearity === 'tanh';
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * H;
      const yi = (t * B + b) * stride + offset;
      const hi = b * H;
      for (let j = 0; j < H; j++) {
        const d = dY[yi + j]! + dh[hi + j]!;
        const v = g[gi + j]!;
        // tanh′ = 1 − tanh², ReLU′ = [v > 0]
        g[gi + j] = tanh ? d * (1 - v * v) : v > 0 ? d : 0;
      }
    }
  }
}
