import type { Parameter } from './parameter.ts';

/** What training loops need of an optimiser (the shape of torch.optim.Optimizer with one parameter group). */
export interface Optimizer {
  /** The learning rate of the next step; schedules change it between steps. */
  lr: number;
  readonly parameters: readonly Parameter[];
  /** Update every parameter from its gradient. */
  step(): void;
  /** Release the optimiser's state (kernel memory); it must not step afterwards. */
  dispose(): void;
}
