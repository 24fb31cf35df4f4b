import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmul, matmulTransA, matmulTransB, type MatrixProduct } from '../../numerics/matmul.ts';
import { matmulReference, matmulTransAReference, matmulTransBReference } from '../../numerics/matmul-reference.ts';
import { allocate, allocationMark, releaseSince, type FloatArray } from '../../numerics/tensor.ts';

const rng = xoroshiro128plus(20260521);
const randomInt = (from: number, to: number): number => uniformInt(rng, from, to);
function fillRandom(x: FloatArray): void {
  for (let i = 0; i < x.length; i++) x[i] = uniformFloat64(rng) * 2 - 1;
}

interface Form {
  name: string;
  fast: MatrixProduct;
  reference: MatrixProduct;
  /** Index of op(A)(i, p) and op(B)(p, j) in the stored operands. */
  ai: (i: number, p: number, m: number, k: number) => number;
  bi: (p: number, j: number, k: number, n: number) => number;
}

const forms: Form[] = [
  { name: 'A·B', fast: matmul, reference: matmulReference, ai: (i, p, _m, k) => i * k + p, bi: (p, j, _k, n) => p * n + j },
  { name: 'A·Bᵀ', fast: matmulTransB, reference: matmulTransBReference, ai: (i, p, _m, k) => i * k + p, bi: (p, j, k) => j * k + p },
  { name: 'Aᵀ·B', fast: matmulTransA, reference: matmulTransAReference, ai: (i, p, m) => p * m + i, bi: (p, j, _k, n) => p * n + j },
];

type Maker = (n: number) => FloatArray;

interface Case {
  m: number;
  k: number;
  n: number;
  accumulate: boolean;
  /** Element offset of each operand inside a larger array (subarray views). */
  offset?: number;
}

/**
 * Run the fast kernel and the reference on the same random operands and compare every element of C
 * within float32 rounding of the products that make it: |c − ref| ≤ 4(k+2)·2⁻²⁴·(Σ_p |a_ip·b_pj| + |c₀|).
 * An indexing mistake is off by a sizeable fraction of Σ|a·b|, far above that bound.
 */
function compare(form: Form, make: Maker, { m, k, n, accumulate, offset = 0 }: Case): void {
  const view = (len: number): FloatArray => make(len + offset).subarray(offset);
  const a = view(m * k);
  const b = view(k * n);
  const c = view(m * n);
  fillRandom(a);
  fillRandom(b);
  fillRandom(c);
  const expected = c.slice();
  const c0 = c.slice();
  form.reference(a, b, expected, m, k, n, accumulate);
  form.fast(a, b, c, m, k, n, accumulate);
  const f32 = c instanceof Float32Array;
  const unit = f32 ? 2 ** -24 : 2 ** -53;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let magnitude = accumulate ? Math.abs(c0[i * n + j]!) : 0;
      for (let p = 0; p < k; p++) magnitude += Math.abs(a[form.ai(i, p, m, k)]! * b[form.bi(p, j, k, n)]!);
      const error = Math.abs(c[i * n + j]! - expected[i * n + j]!);
      const bound = 4 * (k + 2) * unit * magnitude + (f32 ? 1e-30 : 1e-300);
      worst = Math.max(worst, error / bound);
    }
  }
  expect(worst, `${form.name} m=${m} k=${k} n=${n} accumulate=${accumulate} offset=${offset}`).toBeLessThanOrEqual(1);
}

const arena32: Maker = (n) => allocate('float32', n);
const plain32: Maker = (n) => new Float32Array(n);
const plain64: Maker = (n) => allocate('float64', n);

let mark = 0;
beforeAll(() => {
  mark = allocationMark();
});
afterAll(() => releaseSince(mark));

describe.each(forms)('$name', (form) => {
  it('matches the reference on every small shape edge (m, k, n in 1..37), float32 in kernel memory', () => {
    for (let t = 0; t < 120; t++) {
      compare(form, arena32, { m: randomInt(1, 37), k: randomInt(1, 37), n: randomInt(1, 37), accumulate: t % 2 === 1 });
    }
    for (const m of [1, 2, 3, 4, 5, 8, 9]) compare(form, arena32, { m, k: 7, n: 9, accumulate: false });
    for (const n of [1, 4, 7, 8, 9, 16, 17]) compare(form, arena32, { m: 5, k: 3, n, accumulate: true });
  });

  it('matches the reference on shapes larger than every cache block (m > MC, k > KC, n > NC)', () => {
    compare(form, arena32, { m: 133, k: 261, n: 2053, accumulate: false });
    compare(form, arena32, { m: 6, k: 519, n: 35, accumulate: true });
    compare(form, arena32, { m: 1, k: 301, n: 2101, accumulate: false });
    compare(form, arena32, { m: 3, k: 130, n: 517, accumulate: true });
  });

  it('takes subarray views of kernel memory at odd offsets', () => {
    for (const offset of [1, 3, 5, 7]) {
      compare(form, arena32, { m: randomInt(1, 37), k: randomInt(1, 37), n: randomInt(1, 37), accumulate: offset > 3, offset });
    }
  });

  it('takes ordinary Float32Arrays (copied through scratch kernel memory)', () => {
    for (let t = 0; t < 10; t++) {
      compare(form, plain32, { m: randomInt(1, 37), k: randomInt(1, 37), n: randomInt(1, 37), accumulate: t % 2 === 0, offset: t });
    }
  });

  it('runs float64 in plain TypeScript, to float64 rounding', () => {
    for (let t = 0; t < 20; t++) {
      compare(form, plain64, { m: randomInt(1, 37), k: randomInt(1, 37), n: randomInt(1, 37), accumulate: t % 2 === 0, offset: t % 3 });
    }
  });

  it('handles empty dimensions: k = 0 gives zeros (or leaves C when accumulating)', () => {
    for (const make of [arena32, plain32, plain64]) {
      const c = make(6);
      c.fill(5);
      form.fast(make(0), make(0), c, 2, 0, 3, true);
      expect([...c]).toEqual([5, 5, 5, 5, 5, 5]);
      form.fast(make(0), make(0), c, 2, 0, 3);
      expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
      form.fast(make(0), make(12), make(0), 0, 4, 3);
    }
  });

  it('rejects mixed dtypes, short operands and C overlapping an input', () => {
    expect(() => form.fast(allocate('float32', 4), new Float64Array(4), allocate('float32', 4), 2, 2, 2)).toThrow(/dtype|Float32Array/);
    expect(() => form.fast(allocate('float32', 3), allocate('float32', 4), allocate('float32', 4), 2, 2, 2)).toThrow(/too short/);
    expect(() => form.fast(allocate('float32', 4), allocate('float32', 4), allocate('float32', 3), 2, 2, 2)).toThrow(/too short/);
    const shared = allocate('float32', 12);
    expect(() => form.fast(shared.subarray(0, 4), allocate('float32', 4), shared.subarray(3, 7), 2, 2, 2)).toThrow(/overlap/);
    const plain = new Float64Array(12);
    expect(() => form.fast(allocate('float64', 4), plain.subarray(0, 4), plain.subarray(2, 6), 2, 2, 2)).toThrow(/overlap/);
    expect(() => form.fast(allocate('float32', 4), allocate('float32', 4), allocate('float32', 4), 2, 2.5, 2)).toThrow(/dimensions/);
  });
});
