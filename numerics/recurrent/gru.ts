import { sigmoid } from '../activations.ts';
import type { FloatArray } from '../tensor.ts';
import type { RecurrentOptions } from './options.ts';
import { HiddenStateLayer, type DirectionWeights } from './recurrent.ts';
import type { DirectionTape } from './tape.ts';

/**
 * torch.nn.GRU (Cho et al. 2014, in PyTorch's variant), gate blocks r, z, n:
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
 */
export class GRU extends HiddenStateLayer {
  constructor(options: RecurrentOptions) {
    super(options, 'gru', 3);
  }

  protected stepForward(tape: DirectionTape, w: DirectionWeights, t: number, prev: number, next: number, B: number): void {
    const H = this.hiddenSize;
    const g = tape.gates;
    const hw = tape.hwRows;
    const hn = tape.hn;
    const h = tape.h;
    const bhh = w.bHh?.data;
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * 3 * H;
      const wi = b * 3 * H;
      const pi = (prev * B + b) * H;
      const ni = (next * B + b) * H;
      const ti = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(g[gi + j]! + hw[wi + j]! + (bhh ? bhh[j]! : 0));
        const z = sigmoid(g[gi + H + j]! + hw[wi + H + j]! + (bhh ? bhh[H + j]! : 0));
        const hnj = hw[wi + 2 * H + j]! + (bhh ? bhh[2 * H + j]! : 0);
        const n = Math.tanh(g[gi + 2 * H + j]! + r * hnj);
        g[gi + j] = r;
        g[gi + H + j] = z;
        g[gi + 2 * H + j] = n;
        hn[ti + j] = hnj;
        h[ni + j] = (1 - z) * n + z * h[pi + j]!;
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
    const dA = tape.dHidden;
    const hn = tape.hn;
    const h = tape.h;
    const dh = tape.dhNextRows;
    for (let b = 0; b < B; b++) {
      const gi = (t * B + b) * 3 * H;
      const pi = (prev * B + b) * H;
      const ti = (t * B + b) * H;
      const yi = (t * B + b) * stride + offset;
      const si = b * H;
      for (let j = 0; j < H; j++) {
        const r = g[gi + j]!;
        const z = g[gi + H + j]!;
        const n = g[gi + 2 * H + j]!;
        const dhj = dY[yi + j]! + dh[si + j]!;
        const dan = dhj * (1 - z) * (1 - n * n);
        const dar = dan * hn[ti + j]! * r * (1 - r);
        const daz = dhj * (h[pi + j]! - n) * z * (1 - z);
        g[gi + j] = dar;
        g[gi + H + j] = daz;
        g[gi + 2 * H + j] = dan;
        dA[gi + j] = dar;
        dA[gi + H + j] = daz;
        dA[gi + 2 * H + j] = dan * r;
        dh[si + j] = dhj * z;
      }
    }
  }
}
