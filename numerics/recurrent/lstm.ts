import { sigmoid } from '../activations.ts';
import type { FloatArray, Tensor } from '../tensor.ts';
import type { RecurrentOptions } from './options.ts';
import { RecurrentLayer, type DirectionWeights, type RecurrentGradients, type RecurrentResult } from './recurrent.ts';
import type { DirectionTape } from './tape.ts';

/**
 * torch.nn.LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), gate blocks
 * in PyTorch's order i, f, g, o:
 *   i = σ(W_ii x + b_ii + W_hi h + b_hi)   f = σ(…)   g = tanh(…)   o = σ(…)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g              h_t = o ⊙ tanh(c_t)
 */
export class LSTM extends RecurrentLayer {
  constructor(options: RecurrentOptions) {
    super(options, 'lstm', 4);
  }

  forward(x: Tensor, h0?: Tensor, c0?: Tensor): RecurrentResult & { readonly cN: Tensor } {
    return this.forwardTensors(x, h0, c0);
  }

  backward(grads: { dOutput: Tensor; dHN?: Tensor; dCN?: Tensor }): RecurrentGradients & { readonly dc0: Tensor } {
    return this.backwardTensors(grads.dOutput, grads.dHN, grads.dCN);
  }

  protected stepForward(tape: DirectionTape, _w: DirectionWeights, t: number, prev: number, next: number, B: number): void {
    const H = this.hiddenSize;
    const g = tape.gates;
    const h = tape.h;
    const c = tape.c;
    const tc = tape.tanhC;
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * 4 * H;
      const pi = (prev * B + b) * H;
      const ni = (next * B + b) * H;
      const ti = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(g[gi + j]!);
        const f = sigmoid(g[gi + H + j]!);
        const gg = Math.tanh(g[gi + 2 * H + j]!);
        const o = sigmoid(g[gi + 3 * H + j]!);
        g[gi + j] = i;
        g[gi + H + j] = f;
        g[gi + 2 * H + j] = gg;
        g[gi + 3 * H + j] = o;
        const cn = f * c[pi + j]! + i * gg;
        c[ni + j] = cn;
        const tcn = Math.tanh(cn);
        tc[ti + j] = tcn;
        h[ni + j] = o * tcn;
      }
    }
  }

  protected stepBackward(
    tape: DirectionTape,
    _w: DirectionWeights,
    t: number,
    prev: number,
    _next: number,
    B: number,
    dY: FloatArray,
    stride: number,
    offset: number,
  ): void {
    const H = this.hiddenSize;
    const g = tape.gates;
    const c = tape.c;
    const tc = tape.tanhC;
    const dh = tape.dhNextRows;
    const dc = tape.dcNext;
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * 4 * H;
      const pi = (prev * B + b) * H;
      const ti = (t * B + b) * H;
      const yi = (t * B + b) * stride + offset;
      const si = b * H;
      for (let j = 0; j < H; j++) {
        const i = g[gi + j]!;
        const f = g[gi + H + j]!;
        const gg = g[gi + 2 * H + j]!;
        const o = g[gi + 3 * H + j]!;
        const tcn = tc[ti + j]!;
        const dhj = dY[yi + j]! + dh[si + j]!;
        // dL/dc_t: from c_{t+1} = f·c_t + …, and from h_t = o·tanh(c_t).
        const dcj = dc[si + j]! + dhj * o * (1 - tcn * tcn);
        g[gi + j] = dcj * gg * i * (1 - i);
        g[gi + H + j] = dcj * c[pi + j]! * f * (1 - f);
        g[gi + 2 * H + j] = dcj * i * (1 - gg * gg);
        g[gi + 3 * H + j] = dhj * tcn * o * (1 - o);
        dc[si + j] = dcj * f;
      }
    }
  }
}
