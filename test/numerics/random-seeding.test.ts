import { describe, expect, it } from 'vitest';
import { Random } from '../../numerics/random.ts';

describe('Random seeding', () => {
  it('gives unrelated streams for nearby small seeds from the first draw', () => {
    const first = [0, 1, 2, 3, 4, 5].map((seed) => new Random(seed).float());
    // Without mixing, pure-rand's xoroshiro128+ gives ≈ 1.0 as the first draw of each of these seeds.
    expect(first.filter((x) => x > 0.99).length).toBeLessThanOrEqual(1);
    expect(new Set(first.map((x) => x.toFixed(3))).size).toBe(first.length);
    const mean = first.reduce((a, b) => a + b, 0) / first.length;
    expect(mean).toBeGreaterThan(0.15);
    expect(mean).toBeLessThan(0.85);
  });

  it('is reproducible from its seed', () => {
    const a = new Random(42);
    const b = new Random(42);
    for (let i = 0; i < 100; i++) expect(a.float()).toBe(b.float());
  });
});
