import type { Optimizer } from './optimizer.ts';
import type { Parameter } from './parameter.ts';
import { allocate, dtypeOf, release, type FloatArray } from './tensor.ts';
import { adamF32, onVectorKernels } from './kernels/vector.ts';

export interface AdamOptions {
  readonly lr?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** L2 penalty added to the gradient (torch.optim.Adam's weight_decay, not AdamW's decoupled decay). */
  readonly weightDecay?: number;
}

/**
 * torch.optim.Adam (1.13, Kingma & Ba 2015 Algorithm 1): g = ∇ + λθ; m = β₁m + (1 − β₁)g;
 * v = β₂v + (1 − β₂)g²; θ −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken (t). */
  steps = 0;
  private readonly m: FloatArray[];
  private readonly v: FloatArray[];

  constructor(
    readonly parameters: readonly Parameter[],
    options: AdamOptions = {},
  ) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    // Beside the parameters (kernel memory for float32), so the SIMD step runs on all four arrays in place.
    this.m = parameters.map((p) => allocate(dtypeOf(p.data), p.data.length));
    this.v = parameters.map((p) => allocate(dtypeOf(p.data), p.data.length));
  }

  /** Release the moments' kernel memory; the optimiser must not step afterwards. */
  dispose(): void {
    for (const a of [...this.m, ...this.v]) release(a);
  }

  step(): void {
    const t = ++this.steps;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this;
    const stepSize = this.lr / (1 - b1 ** t);
    const invSqrtCorrection2 = 1 / Math.sqrt(1 - b2 ** t);
    const c1 = 1 - b1;
    const c2 = 1 - b2;
    const constants = { beta1: b1, beta2: b2, stepSize, invSqrtCorrection2, eps, weightDecay: wd };
    this.parameters.forEach((p, k) => {
      const { data, grad } = p;
      const m = this.m[k]!;
      const v = this.v[k]!;
      const n = data.length;
      const vectorised = onVectorKernels(data, grad, m, v)
        ? adamF32(data as Float32Array, grad as Float32Array, m as Float32Array, v as Float32Array, n, constants)
        : 0;
      for (let i = vectorised; i < n; i++) {
        const g = wd === 0 ? grad[i]! : grad[i]! + wd * data[i]!;
        const mi = b1 * m[i]! + c1 * g;
        const vi = b2 * v[i]! + c2 * g * g;
        m[i] = mi;
        v[i] = vi;
        data[i] = data[i]! - (stepSize * mi) / (Math.sqrt(vi) * invSqrtCorrection2 + eps);
      }
    });
  }
}
