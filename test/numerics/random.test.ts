import { describe, expect, it } from 'vitest';
import { initEmbedding, initUniformFanIn } from '../../numerics/init.ts';
import { Random } from '../../numerics/random.ts';

function moments(a: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i]!;
    s2 += a[i]! * a[i]!;
  }
  const mean = s / a.length;
  return { mean, variance: s2 / a.length - mean * mean };
}

describe('Random', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new Random(seed);
      return [r.float(), r.normal(), r.int(10), r.float()];
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(() => new Random(1.5)).toThrow(/integer/);
  });

  it('draws uniforms in range and normals with the right moments', () => {
    const r = new Random(11);
    const u = new Float64Array(50_000);
    r.uniform(u, -2, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...u)).toBeLessThan(3);
    const mu = moments(u);
    expect(mu.mean).toBeCloseTo(0.5, 1);
    expect(mu.variance).toBeCloseTo(25 / 12, 1);
    const z = new Float64Array(50_000);
    r.normals(z, 1, 2);
    const mz = moments(z);
    expect(mz.mean).toBeCloseTo(1, 1);
    expect(Math.abs(mz.variance - 4)).toBeLessThan(0.1);
  });

  it('shuffles into a permutation', () => {
    const a = Int32Array.from({ length: 100 }, (_, i) => i);
    new Random(5).shuffle(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('PyTorch default initialisation', () => {
  it('Linear/RNN: U(±1/√fan_in); Embedding: N(0, 1)', () => {
    const w = new Float32Array(20_000);
    initUniformFanIn(w, 25, new Random(1));
    expect(Math.max(...w)).toBeLessThanOrEqual(0.2);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-0.2);
    expect(Math.max(...w)).toBeGreaterThan(0.199);
    const e = new Float64Array(20_000);
    initEmbedding(e, new Random(2));
    const m = moments(e);
    expect(Math.abs(m.mean)).toBeLessThan(0.03);
    expect(Math.abs(m.variance - 1)).toBeLessThan(0.05);
  });
});
