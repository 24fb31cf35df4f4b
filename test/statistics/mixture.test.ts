import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors/user-error.ts';
import { fitMixture } from '../../harness/statistics/mixture.ts';
import { Random } from '../../numerics/random.ts';

/** Σ_t ln(λ p_a(t) + (1 − λ) p_b(t)): the two-component log-likelihood the tests maximise independently of EM. */
function logLikelihood(a: Float32Array, b: Float32Array, lambda: number): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += Math.log(lambda * Math.exp(a[t]!) + (1 - lambda) * Math.exp(b[t]!));
  return s;
}

/** Per-token ln p of two made-up models on 500 tokens: each is better on a different share of the tokens. */
function twoModels(seed: number): [Float32Array, Float32Array] {
  const random = new Random(seed);
  const a = new Float32Array(500);
  const b = new Float32Array(500);
  for (let t = 0; t < a.length; t++) {
    // Each token is one model's strength and the other's weakness (a on 60% of them), as n-grams and neural models.
    const aKnows = random.float() < 0.6;
    const strong = Math.log(0.05 + 0.4 * random.float());
    const weak = Math.log(0.001 + 0.02 * random.float());
    a[t] = aKnows ? strong : weak;
    b[t] = aKnows ? weak : strong;
  }
  return [a, b];
}

describe('fitMixture (EM interpolation weights)', () => {
  it('finds the closed-form optimum of two components on two tokens', () => {
    // p_a = (0.8, 0.1), p_b = (0.2, 0.6): the derivative d1/(b1 + λd1) + d2/(b2 + λd2) = 0 with d = a − b
    // gives λ = −(d1 b2 + d2 b1) / (2 d1 d2) = 0.26 / 0.6.
    const a = new Float32Array([Math.log(0.8), Math.log(0.1)]);
    const b = new Float32Array([Math.log(0.2), Math.log(0.6)]);
    const d1 = Math.exp(a[0]!) - Math.exp(b[0]!);
    const d2 = Math.exp(a[1]!) - Math.exp(b[1]!);
    const lambda = -(d1 * Math.exp(b[1]!) + d2 * Math.exp(b[0]!)) / (2 * d1 * d2);
    expect(lambda).toBeCloseTo(0.26 / 0.6, 6);
    const m = fitMixture([a, b], { tolerance: 1e-15 });
    expect(m.converged).toBe(true);
    expect(Math.abs(m.weights[0]! - lambda)).toBeLessThan(1e-6);
    expect(m.weights[0]! + m.weights[1]!).toBeCloseTo(1, 14);
    expect(m.perplexity).toBeCloseTo(Math.exp(-logLikelihood(a, b, lambda) / 2), 9);
  });

  it('agrees to 1e-6 with a fine grid search over λ on 500 tokens', () => {
    const [a, b] = twoModels(7);
    // Grid of step 1e-3, then a grid of step 1e-7 around its best point (the log-likelihood is concave in λ).
    let best = 0;
    for (let i = 0; i <= 1000; i++) if (logLikelihood(a, b, i / 1000) > logLikelihood(a, b, best)) best = i / 1000;
    let fine = best;
    for (let i = -10_000; i <= 10_000; i++) {
      const l = best + i * 1e-7;
      if (l >= 0 && l <= 1 && logLikelihood(a, b, l) > logLikelihood(a, b, fine)) fine = l;
    }
    expect(fine).toBeGreaterThan(0.05);
    expect(fine).toBeLessThan(0.95);
    const m = fitMixture([a, b], { tolerance: 1e-15 });
    expect(Math.abs(m.weights[0]! - fine)).toBeLessThan(1e-6);
    // The default tolerance (1e-10 nats per token) already gives the perplexity to 9 digits.
    const d = fitMixture([a, b]);
    expect(d.converged).toBe(true);
    expect(d.perplexity).toBeCloseTo(m.perplexity, 9);
    // The mixture beats both components.
    const ppl = (x: Float32Array): number => Math.exp(-x.reduce((s, v) => s + v, 0) / x.length);
    expect(m.perplexity).toBeLessThan(Math.min(ppl(a), ppl(b)));
    let sum = 0;
    for (let t = 0; t < a.length; t++) {
      expect(m.logProbs[t]!).toBeCloseTo(Math.log(m.weights[0]! * Math.exp(a[t]!) + m.weights[1]! * Math.exp(b[t]!)), 12);
      sum += m.logProbs[t]!;
    }
    expect(m.perplexity).toBeCloseTo(Math.exp(-sum / a.length), 12);
  });

  it('keeps identical components at uniform weights with the component perplexity', () => {
    const [a] = twoModels(3);
    const m = fitMixture([a, a, a]);
    for (const w of m.weights) expect(w).toBeCloseTo(1 / 3, 12);
    expect(m.converged).toBe(true);
    const ppl = Math.exp(-a.reduce((s, v) => s + v, 0) / a.length);
    expect(m.perplexity).toBeCloseTo(ppl, 10);
  });

  it('drives a dominated component to weight 0', () => {
    const [a] = twoModels(5);
    // b gives every token a tenth of a's probability: any weight on it only loses.
    const b = a.map((v) => v + Math.log(0.1));
    const m = fitMixture([a, b]);
    expect(m.weights[1]!).toBeLessThan(1e-4);
    expect(m.weights[0]! + m.weights[1]!).toBeCloseTo(1, 14);
  });

  it('mixes a component with probability 0 on some tokens (ln p = −Infinity) without NaN', () => {
    const a = new Float32Array([Math.log(0.5), -Infinity, Math.log(0.25), -Infinity]);
    const b = new Float32Array([Math.log(0.1), Math.log(0.2), Math.log(0.1), -Infinity]);
    const m = fitMixture([a, b], { tolerance: 1e-14 });
    expect(Number.isNaN(m.weights[0]!)).toBe(false);
    expect(m.weights[0]! + m.weights[1]!).toBeCloseTo(1, 14);
    expect(m.weights[1]!).toBeGreaterThan(0);
    expect(Number.isFinite(m.logProbs[1]!)).toBe(true);
    // No component predicts the last token: the mixture cannot either.
    expect(m.logProbs[3]).toBe(-Infinity);
    expect(m.perplexity).toBe(Infinity);
    // On the three predictable tokens, EM's weights match the grid search's.
    const a3 = a.slice(0, 3);
    const b3 = b.slice(0, 3);
    let best = 0;
    for (let i = 0; i <= 100_000; i++) if (logLikelihood(a3, b3, i / 100_000) > logLikelihood(a3, b3, best)) best = i / 100_000;
    expect(Math.abs(m.weights[0]! - best)).toBeLessThan(2e-5);
  });

  it('stops at maxIterations and says it did not converge', () => {
    const [a, b] = twoModels(11);
    const m = fitMixture([a, b], { maxIterations: 2, tolerance: 0 });
    expect(m.iterations).toBe(2);
    expect(m.converged).toBe(false);
  });

  it('refuses runs that predicted different numbers of tokens', () => {
    expect(() => fitMixture([new Float32Array(3), new Float32Array(4)])).toThrow(UserError);
    expect(() => fitMixture([new Float32Array(3), new Float32Array(4)])).toThrow(/token counts 3, 4/);
    expect(() => fitMixture([])).toThrow(/no runs/);
  });
});
