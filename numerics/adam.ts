import type { Optimizer } from './optimizer.ts';
import type { Parameter } from './parameter.ts';
import { allocate, dtypeOf, release, type FloatArray } from './tensor.ts';
import { adamF32, onVectorKernels, type AdamConstants } from './kernels/vector.ts';

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
  protected readonly m: FloatArray[];
  protected readonly v: FloatArray[];

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
    const constants = adamConstants(this, t);
    this.parameters.forEach((p, k) => {
      adamUpdate(p.data, p.grad, this.m[k]!, this.v[k]!, 0, p.data.length, constants);
    });
  }
}

/** Step t's constants: lr / (1 − β₁ᵗ) and 1 / √(1 − β₂ᵗ) (Kingma & Ba 2015, Algorithm 1, bias corrections). */
export function adamConstants(o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number }, t: number): AdamConstants {
  return {
    beta1: o.beta1,
    beta2: o.beta2,
    stepSize: o.lr / (1 - o.beta1 ** t),
    invSqrtCorrection2: 1 / Math.sqrt(1 - o.beta2 ** t),
    eps: o.eps,
    weightDecay: o.weightDecay,
  };
}

/**
 * One Adam update of elements [from, from + n) of a parameter: g = ∇ + λθ; m = β₁m + (1 − β₁)g;
 * v = β₂v + (1 − β₂)g²; θ −= stepSize · m / (√v · invSqrtCorrection2 + ε). Float32 arrays in kernel memory run
 * on the SIMD kernel.
 */
export function adamUpdate(data: FloatArray, grad: FloatArray, m: FloatArray, v: FloatArray, from: number, n: number, k: AdamConstants): void {
  const { beta1: b1, beta2: b2, stepSize, invSqrtCorrection2, eps, weightDecay: wd } = k;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const end = from + n;
  const vectorised = onVectorKernels(data, grad, m, v)
    ? adamF32(
        data.subarray(from, end) as Float32Array,
        grad.subarray(from, end) as Float32Array,
        m.subarray(from, end) as Float32Array,
        v.subarray(from, end) as Float32Array,
        n,
        k,
      )
    : 0;
  for (let i = from + vectorised; i < end; i++) {
    const g = wd === 0 ? grad[i]! : grad[i]! + wd * data[i]!;
    const mi = b1 * m[i]! + c1 * g;
    const vi = b2 * v[i]! + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    data[i] = data[i]! - (stepSize * mi) / (Math.sqrt(vi) * invSqrtCorrection2 + eps);
  }
}
