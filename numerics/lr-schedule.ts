import type { Optimizer } from './optimizer.ts';

/** Changes an optimiser's learning rate after each epoch from the epoch's validation perplexity. */
export interface LearningRateSchedule {
  /** Returns true when the learning rate changed. */
  step(validPerplexity: number): boolean;
}

/** The learning rate never changes. */
export class ConstantLR implements LearningRateSchedule {
  step(): boolean {
    return false;
  }
}

export interface PlateauOptions {
  /** lr ← max(lr · factor, minLr) on a plateau. torch default 0.1. */
  readonly factor?: number;
  /** Epochs without improvement tolerated before reducing. torch default 10. */
  readonly patience?: number;
  /** Relative improvement that counts: better when metric < best · (1 − threshold). torch default 1e-4. */
  readonly threshold?: number;
  /** Epochs to wait after a reduction before counting bad epochs again. torch default 0. */
  readonly cooldown?: number;
  readonly minLr?: number;
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau (mode 'min', threshold_mode 'rel') on the validation
 * perplexity: after more than `patience` epochs without a relative improvement, multiply lr by `factor`.
 */
export class ReduceLROnPlateau implements LearningRateSchedule {
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly cooldown: number;
  readonly minLr: number;
  best = Infinity;
  badEpochs = 0;
  private cooldownLeft = 0;

  constructor(
    private readonly optimizer: Optimizer,
    options: PlateauOptions = {},
  ) {
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    if (!(this.factor > 0 && this.factor < 1)) throw new RangeError(`plateau factor must be in (0, 1), got ${this.factor}`);
  }

  step(validPerplexity: number): boolean {
    if (validPerplexity < this.best * (1 - this.threshold)) {
      this.best = validPerplexity;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      this.badEpochs = 0;
      this.cooldownLeft = this.cooldown;
      const old = this.optimizer.lr;
      const next = Math.max(old * this.factor, this.minLr);
      // torch's eps = 1e-8: ignore reductions too small to matter.
      if (old - next > 1e-8) {
        this.optimizer.lr = next;
        return true;
      }
    }
    return false;
  }
}
