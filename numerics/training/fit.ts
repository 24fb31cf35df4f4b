import type { EpochRecord, Scorer, TrainOptions, TrainReport } from '../../models/types.ts';
import { Adam } from '../adam.ts';
import { clipGradNorm, gradientNorm } from '../clip-grad-norm.ts';
import { DivergenceWatch } from '../divergence.ts';
import { ConstantLR, ReduceLROnPlateau, type LearningRateSchedule } from '../lr-schedule.ts';
import type { Optimizer } from '../optimizer.ts';
import type { Parameter } from '../parameter.ts';
import { SGD } from '../sgd.ts';
import { SparseAdam } from '../sparse-adam.ts';
import { UserError } from '../../errors/user-error.ts';
import type { TrainingDefaults, TrainingOptions } from './options.ts';

/** What one step on one batch gave: the summed loss (nats) and the tokens it predicted. */
export interface StepResult {
  readonly loss: number;
  readonly tokens: number;
}

/**
 * What a neural plug-in hands to `fit` for one training run: its parameters, its batches and its step. The
 * loop does the rest (optimiser, clipping, budgets, validation, schedule, early stopping, the best epoch).
 */
export interface FitSession<B> {
  readonly parameters: readonly Parameter[];
  /** The softmax's width (the divergence watch compares the loss with ln |V|). */
  readonly vocabSize: number;
  /** Steps in one epoch, for how often the valid perplexity is checked (see `PlateauRule`). */
  readonly stepsPerEpoch: number;
  /** Tokens in one epoch, for progress. */
  readonly epochTokens: number;
  /**
   * Epoch `epoch`'s batches, in order. `tokensLeft()` is what a token budget still allows (Infinity
   * without one): a plug-in may cut its last batch to it.
   */
  batches(epoch: number, tokensLeft: () => number): Iterable<B>;
  /** Forward and backward on one batch: the gradients of the mean loss in the parameters' `grad`. */
  step(batch: B): StepResult;
  /** After the optimiser's update (e.g. clearing the gradient rows a sparse step wrote). */
  afterUpdate?(batch: B): void;
  /** A scorer of the model as it is now, for validation. */
  scorer(): Scorer;
  /** Dropout on (`train`) or off (`eval`). */
  setMode?(mode: 'train' | 'eval'): void;
  /** Release the session's workspaces. */
  dispose?(): void;
}

/** The plug-in's training options, with the learning rate resolved. */
export type FitOptions = TrainingOptions & { readonly learningRate: number };

/** Progress at most this often (seconds). */
const PROGRESS_SECONDS = 0.25;

export function makeOptimizer(parameters: readonly Parameter[], o: FitOptions): Optimizer {
  switch (o.optimizer) {
    case 'adam':
      return new Adam(parameters, { lr: o.learningRate, weightDecay: o.weightDecay });
    case 'sparse-adam':
      if (o.weightDecay !== 0)
        throw new UserError(`optimizer sparse-adam has no weight decay (as torch.optim.SparseAdam): drop weightDecay ${o.weightDecay} or use adam`);
      return new SparseAdam(parameters, { lr: o.learningRate });
    case 'sgd':
      return new SGD(parameters, { lr: o.learningRate, momentum: o.momentum, weightDecay: o.weightDecay });
  }
}

/**
 * The one training loop of the neural plug-ins. Each epoch: the session's batches, each one step, the
 * divergence watch, gradient clipping by global norm, the optimiser's update; then the valid perplexity
 * through `options.validate`. The best epoch's parameters are kept and restored at the end. Every k epochs
 * (`defaults.plateau`) the best perplexity is checked: without improvement the learning rate decays
 * (ReduceLROnPlateau, `lrDecay`, `lrPatience`) and after `patience` such checks training stops. Budgets
 * (`options.budget`: epochs, tokens, seconds) end training after the step that reaches them; the epoch is
 * validated all the same. Deterministic: the session owns every random draw and is built from the seed.
 */
export async function fit<B>(setup: (seed: number) => FitSession<B>, hp: FitOptions, defaults: TrainingDefaults, options: TrainOptions): Promise<TrainReport> {
  const started = performance.now();
  const elapsed = (): number => (performance.now() - started) / 1000;
  const budget = options.budget ?? {};
  const maxEpochs = budget.epochs ?? hp.maxEpochs;
  const session = setup(options.seed);
  const { parameters } = session;
  const optimizer = makeOptimizer(parameters, hp);
  const learningRate = { key: 'learningRate', flag: '--learning-rate', value: hp.learningRate };
  const watch = new DivergenceWatch({ learningRate, clip: hp.clip, suggestedClip: defaults.suggestedClip }, session.vocabSize);
  const rule = defaults.plateau;
  const schedule: LearningRateSchedule =
    hp.lrDecay < 1 ? new ReduceLROnPlateau(optimizer, { factor: hp.lrDecay, patience: hp.lrPatience, threshold: rule.lrThreshold }) : new ConstantLR();
  const checkEvery = rule.stepsBetweenChecks > 0 ? Math.max(1, Math.ceil(rule.stepsBetweenChecks / session.stepsPerEpoch)) : 1;
  // Copies outside kernel memory (slice makes an unshared copy of the same type).
  const best = parameters.map((p) => p.data.slice());
  let bestPerplexity = Infinity;
  let bestEpoch: number | undefined;
  let bestAtLastCheck = Infinity;
  let badChecks = 0;
  let tokensSeen = 0;
  let stoppedBy: TrainReport['stoppedBy'] = budget.epochs !== undefined ? 'epochs' : 'done';
  const epochs: EpochRecord[] = [];
  const tokensLeft = (): number => (budget.tokens === undefined ? Infinity : budget.tokens - tokensSeen);

  /** One pass over the session's batches, cut short by a token or time budget. */
  const runEpoch = (epoch: number): { loss: number; tokens: number; stop: 'tokens' | 'seconds' | null } => {
    session.setMode?.('train');
    watch.startEpoch(epoch);
    let loss = 0;
    let tokens = 0;
    const epochStart = elapsed();
    let lastProgress = epochStart;
    let stop: 'tokens' | 'seconds' | null = null;
    for (const batch of session.batches(epoch, tokensLeft)) {
      const result = session.step(batch);
      watch.loss(result.loss);
      // The norm clipping computes anyway; without clipping, one SIMD pass over the gradients.
      watch.gradients(hp.clip > 0 ? clipGradNorm(parameters, hp.clip) : gradientNorm(parameters));
      optimizer.step();
      session.afterUpdate?.(batch);
      loss += result.loss;
      tokens += result.tokens;
      tokensSeen += result.tokens;
      const now = elapsed();
      if (budget.tokens !== undefined && tokensSeen >= budget.tokens) stop = 'tokens';
      else if (budget.seconds !== undefined && now >= budget.seconds) stop = 'seconds';
      if (options.onProgress && (now - lastProgress >= PROGRESS_SECONDS || stop !== null || tokens >= session.epochTokens)) {
        lastProgress = now;
        const tokensPerSecond = tokens / Math.max(now - epochStart, 1e-6);
        options.onProgress({ phase: `epoch ${epoch}`, done: tokens, total: session.epochTokens, unit: 'tokens', tokensPerSecond, loss: loss / tokens });
      }
      if (stop !== null) break;
    }
    session.setMode?.('eval');
    return { loss, tokens, stop };
  };

  try {
    for (let epoch = 1; epoch <= maxEpochs; epoch++) {
      const run = runEpoch(epoch);
      const trainLoss = run.loss / Math.max(run.tokens, 1);
      watch.epochLoss(trainLoss);
      watch.parameters(parameters);
      options.onProgress?.({ phase: `validating epoch ${epoch}`, done: 0, unit: 'tokens' });
      const validPerplexity = options.validate(session.scorer());
      watch.validPerplexity(validPerplexity);
      epochs.push({ epoch, tokensSeen, seconds: elapsed(), trainLoss, validPerplexity, learningRate: optimizer.lr });
      if (validPerplexity < bestPerplexity) {
        bestPerplexity = validPerplexity;
        bestEpoch = epoch;
        parameters.forEach((p, i) => {
          best[i]!.set(p.data);
        });
      }
      if (run.stop !== null) {
        stoppedBy = run.stop;
        break;
      }
      if (epoch % checkEvery === 0) {
        // Improvements are measured from the last significant one, so slow progress still adds up.
        if (bestPerplexity < bestAtLastCheck * (1 - rule.improvement)) {
          bestAtLastCheck = bestPerplexity;
          badChecks = 0;
        } else {
          badChecks++;
        }
        if (hp.patience > 0 && badChecks >= hp.patience) {
          stoppedBy = 'early-stopping';
          break;
        }
        schedule.step(bestPerplexity);
      }
      // Let timers (a progress bar's redraw) run between epochs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    session.dispose?.();
    optimizer.dispose();
  }
  if (bestEpoch !== undefined && bestEpoch !== epochs.length)
    parameters.forEach((p, i) => {
      p.data.set(best[i]!);
    });
  session.setMode?.('eval');
  return {
    tokensTrained: tokensSeen,
    seconds: elapsed(),
    epochs,
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
    stoppedBy,
  };
}
