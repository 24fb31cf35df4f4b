import { describe, expect, it } from 'vitest';
import { reluBackward, reluForward, sigmoid, sigmoidBackward, sigmoidForward, tanhBackward, tanhForward } from '../../numerics/activations.ts';
import type { FloatArray } from '../../numerics/tensor.ts';
import { expectGradient, randomArray, weightedSum } from './finite-difference.ts';

type Forward = (x: FloatArray, y: FloatArray, n: number) => void;
type Backward = (y: FloatArray, dy: FloatArray, dx: FloatArray, n: number) => void;

const cases: [string, Forward, Backward, (v: number) => number][] = [
  ['tanh', tanhForward, tanhBackward, Math.tanh],
  ['relu', reluForward, reluBackward, (v) => Math.max(v, 0)],
  ['sigmoid', sigmoidForward, sigmoidBackward, (v) => 1 / (1 + Math.exp(-v))],
];

describe.each(cases)('%s', (_name, forward, backward, f) => {
  const n = 37;
  it('forward computes the function element by element', () => {
    const x = randomArray(n, 1, -3, 3);
    const y = new Float64Array(n);
    forward(x, y, n);
    for (let i = 0; i < n; i++) expect(y[i]).toBeCloseTo(f(x[i]!), 14);
  });

  it('backward matches finite differences', () => {
    // Keep relu's inputs away from its kink at 0, where the derivative is one-sided.
    const x = randomArray(n, 2, -3, 3).map((v) => (Math.abs(v) < 0.01 ? 0.5 : v));
    const k = randomArray(n, 3);
    const y = new Float64Array(n);
    const loss = (): number => {
      forward(x, y, n);
      return weightedSum(y, k);
    };
    loss();
    const dx = new Float64Array(n);
    backward(y, k, dx, n);
    expectGradient(loss, x, dx, 1e-8);
  });

  it('works in place and in float32', () => {
    const x64 = randomArray(n, 4, -3, 3);
    const x32 = Float32Array.from(x64);
    forward(x32, x32, n);
    for (let i = 0; i < n; i++) expect(Math.abs(x32[i]! - f(x64[i]!))).toBeLessThan(1e-6);
    const dy = Float32Array.from(randomArray(n, 5));
    const expected = new Float32Array(n);
    backward(x32, dy, expected, n);
    backward(x32, dy, dy, n);
    expect(dy).toEqual(expected);
  });
});

describe('sigmoid', () => {
  it('does not overflow for large |a|', () => {
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-745)).toBeGreaterThan(0);
  });
});
