import { Adam, adamConstants, adamUpdate, type AdamOptions } from './adam.ts';
import type { Parameter } from './parameter.ts';

/**
 * torch.optim.SparseAdam (1.13) for the row-sparse parameters (those with `touched` rows: embedding tables, a
 * class output's word rows), torch.optim.Adam for the rest: torch's recipe for a model with a sparse embedding.
 * A touched row's moments and values move as in Adam; the rows a step did not touch keep their moments and
 * values (the "lazy" Adam: an untouched row's momentum does not carry it on, and its moments do not decay).
 * SparseAdam's update is θ −= lr · √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m / (√v + ε), ε outside the bias correction; it
 * runs on Adam's kernel with ε · (1 / √(1 − β₂ᵗ)) in Adam's place, the same quantity. Like torch's, it has no
 * weight decay. A step costs the touched rows of the sparse parameters instead of all of them.
 */
export class SparseAdam extends Adam {
  constructor(parameters: readonly Parameter[], options: AdamOptions = {}) {
    if ((options.weightDecay ?? 0) !== 0) throw new RangeError('SparseAdam: weight decay is not supported (as torch.optim.SparseAdam)');
    super(parameters, options);
  }

  override step(): void {
    const t = ++this.steps;
    const dense = adamConstants(this, t);
    const sparse = { ...dense, eps: this.eps * dense.invSqrtCorrection2 };
    this.parameters.forEach((p, k) => {
      const m = this.m[k]!;
      const v = this.v[k]!;
      if (p.touched === undefined) {
        adamUpdate(p.data, p.grad, m, v, 0, p.data.length, dense);
        return;
      }
      const runs = p.touched.elementRuns();
      for (let i = 0; i < runs.length; i += 2) adamUpdate(p.data, p.grad, m, v, runs[i]!, runs[i + 1]!, sparse);
    });
  }
}
