import { describe, expect, it } from 'vitest';
import { countTargets, IGNORE_INDEX, softmaxCrossEntropy } from '../../numerics/cross-entropy.ts';
import { logSoftmaxAt, logSoftmaxRows, logSumExp, softmaxRows } from '../../numerics/softmax.ts';
import { expectGradient, randomArray } from './finite-difference.ts';

const rows = 5;
const cols = 7;

describe('softmax', () => {
  it('log-softmax rows exponentiate to distributions and agree with softmax', () => {
    const x = randomArray(rows * cols, 1, -4, 4);
    const logp = new Float64Array(x.length);
    const p = new Float64Array(x.length);
    logSoftmaxRows(x, logp, rows, cols);
    softmaxRows(x, p, rows, cols);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < cols; j++) {
        s += Math.exp(logp[r * cols + j]!);
        expect(p[r * cols + j]).toBeCloseTo(Math.exp(logp[r * cols + j]!), 15);
      }
      expect(s).toBeCloseTo(1, 14);
    }
  });

  it('is stable for huge logits and shift-invariant', () => {
    const x = Float64Array.from([1000, 999, 998, -1000]);
    expect(logSumExp(x, 0, 4)).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 12);
    const shifted = x.map((v) => v - 1000);
    const a = new Float64Array(4);
    const b = new Float64Array(4);
    logSoftmaxRows(x, a, 1, 4);
    logSoftmaxRows(shifted, b, 1, 4);
    for (let j = 0; j < 4; j++) expect(a[j]).toBeCloseTo(b[j]!, 12);
    const f32 = Float32Array.from([88, 89, 90]);
    softmaxRows(f32, f32, 1, 3);
    expect(f32.every(Number.isFinite)).toBe(true);
  });

  it('logSoftmaxAt picks the target column of log-softmax', () => {
    const x = randomArray(rows * cols, 2, -4, 4);
    const targets = Int32Array.from([0, 6, 3, 3, 1]);
    const full = new Float64Array(x.length);
    logSoftmaxRows(x, full, rows, cols);
    const out = new Float64Array(rows);
    logSoftmaxAt(x, targets, out, rows, cols);
    for (let r = 0; r < rows; r++) expect(out[r]).toBeCloseTo(full[r * cols + targets[r]!]!, 14);
  });
});

describe('softmaxCrossEntropy', () => {
  const targets = Int32Array.from([2, 0, 6, IGNORE_INDEX, 2]);

  it('returns the summed negative log-likelihood of the non-ignored rows', () => {
    const z = randomArray(rows * cols, 3, -4, 4);
    const logp = new Float64Array(z.length);
    logSoftmaxRows(z, logp, rows, cols);
    let expected = 0;
    for (let r = 0; r < rows; r++) if (targets[r] !== IGNORE_INDEX) expected -= logp[r * cols + targets[r]!]!;
    const d = new Float64Array(z.length);
    expect(countTargets(targets, rows)).toBe(4);
    expect(softmaxCrossEntropy(z, targets, d, rows, cols, 0.25)).toBeCloseTo(expected, 13);
  });

  it('writes the gradient of the scaled loss (finite differences), zero on ignored rows', () => {
    const z = randomArray(rows * cols, 4, -4, 4);
    const scaleBy = 1 / countTargets(targets, rows);
    const scratch = new Float64Array(z.length);
    const loss = (): number => scaleBy * softmaxCrossEntropy(z, targets, scratch, rows, cols, scaleBy);
    const d = new Float64Array(z.length);
    softmaxCrossEntropy(z, targets, d, rows, cols, scaleBy);
    expectGradient(loss, z, d, 1e-8);
    for (let j = 0; j < cols; j++) expect(d[3 * cols + j]).toBe(0);
  });

  it('gives the same result in place, in float32, and for a custom ignore index', () => {
    const z = randomArray(rows * cols, 5, -4, 4);
    const d = new Float64Array(z.length);
    const lossOut = softmaxCrossEntropy(z, targets, d, rows, cols, 1);
    const inPlace = Float64Array.from(z);
    expect(softmaxCrossEntropy(inPlace, targets, inPlace, rows, cols, 1)).toBe(lossOut);
    expect(inPlace).toEqual(d);
    const z32 = Float32Array.from(z);
    const custom = targets.map((t) => (t === IGNORE_INDEX ? 1 << 30 : t));
    const loss32 = softmaxCrossEntropy(z32, custom, z32, rows, cols, 1, 1 << 30);
    expect(Math.abs(loss32 - lossOut) / lossOut).toBeLessThan(1e-6);
    for (let i = 0; i < d.length; i++) expect(Math.abs(z32[i]! - d[i]!)).toBeLessThan(1e-6);
  });

  it('stays finite for huge logits', () => {
    const z = Float32Array.from([1e4, -1e4, 0, 5e3]);
    const loss = softmaxCrossEntropy(z, Int32Array.from([1]), z, 1, 4, 1);
    expect(loss).toBeCloseTo(2e4, 6);
    expect(z[0]).toBeCloseTo(1, 6);
    expect(z[1]).toBeCloseTo(-1, 6);
  });

  it('rejects a target outside the row', () => {
    const z = new Float64Array(4);
    expect(() => softmaxCrossEntropy(z, Int32Array.from([4]), z, 1, 4, 1)).toThrow(/target 4/);
  });
});
