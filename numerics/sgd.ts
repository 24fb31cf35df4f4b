import type { Optimizer } from './optimizer.ts';
import { zerosLike, type Parameter } from './parameter.ts';
import type { FloatArray } from './tensor.ts';

export interface SGDOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly dampening?: number;
  readonly weightDecay?: number;
  readonly nesterov?: boolean;
}

/**
 * torch.optim.SGD (1.13): g = ∇ + λθ; with momentum μ the buffer starts as g and then b = μb + (1 − τ)g;
 * the step uses b (or g + μb with Nesterov); θ −= lr · step.
 */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  private readonly buffers: FloatArray[];
  private started = false;

  constructor(
    readonly parameters: readonly Parameter[],
    options: SGDOptions,
  ) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    }
    this.buffers = this.momentum !== 0 ? parameters.map((p) => zerosLike(p.data)) : [];
  }

  /** The momentum buffers are ordinary memory, left to the garbage collector. */
  dispose(): void {}

  step(): void {
    const { lr, momentum, weightDecay: wd, nesterov } = this;
    const damp = 1 - this.dampening;
    const first = !this.started;
    this.started = true;
    this.parameters.forEach((p, k) => {
      const { data, grad } = p;
      const n = data.length;
      if (momentum === 0) {
        for (let i = 0; i < n; i++) data[i] = data[i]! - lr * (grad[i]! + wd * data[i]!);
        return;
      }
      const buf = this.buffers[k]!;
      for (let i = 0; i < n; i++) {
        const g = grad[i]! + wd * data[i]!;
        const b = first ? g : momentum * buf[i]! + damp * g;
        buf[i] = b;
        data[i] = data[i]! - lr * (nesterov ? g + momentum * b : b);
      }
    });
  }
}
