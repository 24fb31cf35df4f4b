import { UserError } from '../errors/user-error.ts';
import { sumSquares } from './clip-grad-norm.ts';
import type { Parameter } from './parameter.ts';

/** How every divergence message begins, so that a results file's `error` column says which failures were divergences. */
export const DIVERGED = 'training diverged';

/** Whether a run's error message (as recorded in results.csv) is a divergence's. */
export const isDivergence = (message: string): boolean => message.startsWith(DIVERGED);

/**
 * A run whose loss, gradients, parameters or valid perplexity stopped being finite numbers. A `UserError`:
 * it comes from the hyper-parameters the user chose, so the CLI prints the message (with what to change)
 * and no stack trace, and an experiment records the message as the cell's failure.
 */
export class DivergenceError extends UserError {
  override name = 'DivergenceError';
}

/** The two options that tame a diverging run, named as the user writes them, with their values in this run. */
export interface DivergenceHint {
  /** The learning rate's key in an experiment's JSON (`lr`, `learningRate`) and its flag (`--lr`, `--learning-rate`). */
  readonly learningRate: { readonly key: string; readonly flag: string; readonly value: number };
  /** The gradient-clipping norm (key `clip`, flag `--clip`); 0 is off. */
  readonly clip: number;
  /** A clipping norm to suggest when clipping is off. */
  readonly suggestedClip: number;
}

function advice({ learningRate: lr, clip, suggestedClip }: DivergenceHint): string {
  const clipping =
    clip > 0 ? `clip the gradients harder (--clip / "clip", now ${clip})` : `enable gradient clipping (--clip / "clip", e.g. ${suggestedClip}; now off)`;
  return `lower the learning rate (${lr.flag} / "${lr.key}", now ${lr.value}) or ${clipping}`;
}

/**
 * An epoch's mean training loss above this many times ln |V| (the loss of the uniform distribution, about where
 * training starts) is a run that blew up without overflowing: perplexity |V|^10 and more, far beyond any model
 * that learns, however badly.
 */
export const LOSS_LIMIT = 10;

/** The first element of the parameters that is NaN or infinite, if any. */
function firstNonFinite(parameters: readonly Parameter[]): { name: string; index: number; value: number } | undefined {
  for (const { name, data } of parameters) {
    // One vectorised pass; only a non-finite sum (or a float64 square that overflowed) needs the element.
    if (Number.isFinite(sumSquares(data))) continue;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return { name, index: i, value: data[i]! };
  }
  return undefined;
}

/**
 * The divergence checks of a training loop, one object shared by every neural loop: it counts epochs and steps
 * so that each message says where the run broke, and throws a `DivergenceError` at the first non-finite
 * number. Each step's checks come before its update, so the parameters never take a NaN from a bad gradient.
 */
export class DivergenceWatch {
  private epoch = 0;
  private step = 0;

  /** `vocabSize`: the softmax's width, whose log is the loss of the uniform distribution. */
  constructor(
    private readonly hint: DivergenceHint,
    private readonly vocabSize: number,
  ) {}

  /** Epoch `epoch` begins; its steps count from 1. */
  startEpoch(epoch: number): void {
    this.epoch = epoch;
    this.step = 0;
  }

  /** A step's loss (summed or mean), before its update. */
  loss(value: number): void {
    this.step++;
    if (!Number.isFinite(value)) this.fail(`at epoch ${this.epoch}, step ${this.step}: the training loss is ${value}`);
  }

  /** The step's global gradient norm (`gradientNorm`, or what `clipGradNorm` returned), before its update. */
  gradients(norm: number): void {
    if (!Number.isFinite(norm)) this.fail(`at epoch ${this.epoch}, step ${this.step}: the gradient norm is ${norm}`);
  }

  /** The epoch's mean training loss (nats per token): finite and below `LOSS_LIMIT` × ln |V|. */
  epochLoss(mean: number): void {
    const uniform = Math.log(this.vocabSize);
    if (!Number.isFinite(mean) || mean > LOSS_LIMIT * uniform) {
      this.fail(
        `by the end of epoch ${this.epoch} (step ${this.step}): the mean training loss is ${mean.toFixed(2)} nats per token, ` +
          `over ${LOSS_LIMIT} times that of the uniform distribution (ln ${this.vocabSize} = ${uniform.toFixed(2)})`,
      );
    }
  }

  /** Every parameter finite (at the end of each epoch: one pass over them, no cost per step). */
  parameters(parameters: readonly Parameter[]): void {
    const bad = firstNonFinite(parameters);
    if (bad) this.fail(`by the end of epoch ${this.epoch} (step ${this.step}): parameter ${bad.name}[${bad.index}] is ${bad.value}`);
  }

  /**
   * The valid perplexity after an epoch. A softmax gives no token probability 0 while its logits are finite,
   * so Infinity here is a mean loss past 709 nats per token (exp overflows): diverged as surely as NaN.
   */
  validPerplexity(value: number): void {
    if (!Number.isFinite(value)) this.fail(`by the end of epoch ${this.epoch} (step ${this.step}): the valid perplexity is ${value}`);
  }

  private fail(where: string): never {
    throw new DivergenceError(`${DIVERGED} ${where}; ${advice(this.hint)}`);
  }
}
