import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Adam } from '../../numerics/adam.ts';
import { clipGradNorm } from '../../numerics/clip-grad-norm.ts';
import { ConstantLR, ReduceLROnPlateau } from '../../numerics/lr-schedule.ts';
import type { Optimizer } from '../../numerics/optimizer.ts';
import { createParameter, type Parameter } from '../../numerics/parameter.ts';
import { SGD } from '../../numerics/sgd.ts';
import type { DType } from '../../numerics/tensor.ts';

/** Written by test/fixtures/torch/make_optim_fixture.py (torch.optim, float64). */
interface OptimCase {
  kind: 'sgd' | 'adam';
  options: { lr: number; momentum?: number; dampening?: number; weight_decay?: number; nesterov?: boolean; betas?: [number, number]; eps?: number };
  clip: number | null;
  trajectory: number[][][];
  norms: number[];
}
interface Fixture {
  shapes: number[][];
  init: number[][];
  grads: number[][][];
  cases: OptimCase[];
  plateau: { factor: number; patience: number; threshold: number; cooldown: number; minLr: number; metrics: number[]; lrs: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/optim.json', import.meta.url), 'utf8')) as Fixture;

function makeOptimizer(c: OptimCase, parameters: Parameter[]): Optimizer {
  const o = c.options;
  if (c.kind === 'sgd') {
    return new SGD(parameters, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weight_decay, nesterov: o.nesterov });
  }
  return new Adam(parameters, { lr: o.lr, beta1: o.betas?.[0], beta2: o.betas?.[1], eps: o.eps, weightDecay: o.weight_decay });
}

function title(c: OptimCase): string {
  return `${c.kind} ${JSON.stringify(c.options)}${c.clip === null ? '' : ` clip ${c.clip}`}`;
}

describe.each([
  ['float64', 1e-12],
  ['float32', 1e-5],
] as [DType, number][])('optimisers match torch.optim in %s', (dtype, tolerance) => {
  it.each(fixture.cases.map((c) => [title(c), c] as const))('%s', (_t, c) => {
    const parameters = fixture.shapes.map((shape, i) => {
      const p = createParameter(`p${i}`, shape, dtype);
      p.data.set(fixture.init[i]!);
      return p;
    });
    const optimizer = makeOptimizer(c, parameters);
    c.trajectory.forEach((expected, step) => {
      parameters.forEach((p, i) => {
        p.grad.set(fixture.grads[step]![i]!);
      });
      if (c.clip !== null) {
        const norm = clipGradNorm(parameters, c.clip);
        expect(Math.abs(norm - c.norms[step]!) / c.norms[step]!).toBeLessThan(tolerance);
      }
      optimizer.step();
      parameters.forEach((p, i) => {
        const e = expected[i]!;
        for (let j = 0; j < e.length; j++) {
          expect(Math.abs(p.data[j]! - e[j]!) / Math.max(Math.abs(e[j]!), 1e-2)).toBeLessThan(tolerance);
        }
      });
    });
  });
});

describe('learning-rate schedules', () => {
  it('ReduceLROnPlateau follows torch step by step (patience, threshold, cooldown, min_lr)', () => {
    const f = fixture.plateau;
    const optimizer = new SGD([createParameter('p', [1], 'float64')], { lr: 1 });
    const schedule = new ReduceLROnPlateau(optimizer, f);
    const lrs = f.metrics.map((m) => {
      schedule.step(m);
      return optimizer.lr;
    });
    expect(lrs).toEqual(f.lrs);
  });

  it('ConstantLR never changes the rate', () => {
    expect(new ConstantLR().step()).toBe(false);
  });
});
