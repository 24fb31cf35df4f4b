import { existsSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmOfVariant, kernelFusedMultiplyAdd } from '../../numerics/kernels/gemm.ts';
import { kernelMemory } from '../../numerics/kernels/arena.ts';
import { kernelModule } from '../../numerics/kernels/modules.ts';
import { kernelVariant, relaxedSimdSupported } from '../../numerics/kernels/variant.ts';
import { KERNEL_VARIANTS, type KernelVariant } from '../../numerics/kernels/variant-wat.ts';
import { matmulReference, matmulTransAReference, matmulTransBReference } from '../../numerics/matmul-reference.ts';
import { Random } from '../../numerics/random.ts';
import { allocate, allocationMark, releaseSince } from '../../numerics/tensor.ts';

/**
 * Both kernel variants in one process, each module instantiated explicitly (the rest of the suite runs the
 * process's active variant: relaxed by default, plain in the `simd-kernels` vitest project).
 *
 * Tolerance. Each element of C is a sum of k products. Plain SIMD rounds every product and every addition; the
 * relaxed variant on an FMA CPU rounds once per multiply-add. Either way the computed sum ŝ satisfies
 * |ŝ − s| ≤ γ_k' Σ_p |a_ip·b_pj| with γ_n = n·u/(1 − n·u), u = 2⁻²⁴, k' ≤ k + 1 (Higham 2002, "Accuracy and
 * Stability of Numerical Algorithms", §3.1; with FMA the bound drops to γ_k, one rounding per step), so the two
 * variants differ from each other by at most twice that: rounding level, never an indexing error, which is off by
 * a sizeable fraction of Σ|a·b|. The tests allow 4(k + 2)·u·(Σ|a·b| + |c₀|), as `matmul.test.ts` does.
 */

interface VectorExports {
  exp_sum(src: number, dst: number, n: number, shift: number): number;
  sum_squares(p: number, n: number): number;
  adam(p: number, g: number, m: number, v: number, n4: number, ...constants: number[]): void;
}

const mark = allocationMark();
afterAll(() => releaseSince(mark));

function vectorOf(variant: KernelVariant): VectorExports {
  return new WebAssembly.Instance(kernelModule('vector', variant), { env: { memory: kernelMemory() } }).exports as unknown as VectorExports;
}

function kernelArray(values: ArrayLike<number>): Float32Array {
  const a = allocate('float32', values.length) as Float32Array;
  a.set(values);
  return a;
}

function uniform(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const a = new Float64Array(n);
  new Random(seed).uniform(a, lo, hi);
  return a;
}

/** The forms of the product: strides of op(A) and op(B) for row-major storage, and the reference. */
const FORMS = [
  { name: 'A·B', strides: (_m: number, k: number, n: number) => [k, 1, n, 1] as const, reference: matmulReference },
  { name: 'A·Bᵀ', strides: (_m: number, k: number) => [k, 1, 1, k] as const, reference: matmulTransBReference },
  { name: 'Aᵀ·B', strides: (m: number, _k: number, n: number) => [1, m, n, 1] as const, reference: matmulTransAReference },
];

/** Every kernel path: the packed micro-kernel (m ≥ 4), `dot_rows` (m < 4, A·Bᵀ), `axpy_rows` (m < 4, A·B, Aᵀ·B), ragged edges, m > MC and k > KC (n > NC is in matmul.test.ts, run for each variant). */
const SHAPES = [
  [1, 37, 21],
  [3, 130, 517],
  [4, 8, 8],
  [7, 33, 19],
  [37, 29, 45],
  [133, 261, 70],
] as const;

const relaxedRuns = relaxedSimdSupported();
/**
 * Whether V8 fuses relaxed multiply-adds here: on x64 when the CPU has FMA3 (Linux lists it in /proc/cpuinfo), on
 * arm64 always; undefined where this test cannot tell (then only rounding-level agreement is checked).
 */
function cpuFuses(): boolean | undefined {
  if (process.arch === 'arm64') return true;
  if (process.arch === 'x64' && existsSync('/proc/cpuinfo')) return /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  return undefined;
}
const fuses = cpuFuses();

describe('kernel variants', () => {
  it('PERPLEXITY_KERNELS picks the variant: relaxed by default on this runtime, plain when forced', () => {
    const setting = process.env.PERPLEXITY_KERNELS ?? 'auto';
    expect(kernelVariant()).toBe(setting === 'simd' || !relaxedRuns ? 'simd' : 'relaxed');
    // Node ≥ 22 validates relaxed SIMD as it is; Node 20 once modules.ts sets its V8 flag.
    expect(relaxedRuns).toBe(true);
    // The active kernels report what they do: fused only when relaxed, and then on every FMA CPU.
    expect(kernelFusedMultiplyAdd('simd')).toBe(false);
    if (fuses !== undefined) expect(kernelFusedMultiplyAdd('relaxed')).toBe(fuses);
    expect(kernelFusedMultiplyAdd()).toBe(kernelFusedMultiplyAdd(kernelVariant()));
  });

  it.skipIf(!relaxedRuns).each(FORMS)('$name: both variants match the reference within float32 rounding, and each other', ({ strides, reference }) => {
    const plain = gemmOfVariant('simd');
    const relaxed = gemmOfVariant('relaxed');
    let differing = 0;
    let worst = 0;
    for (const [t, [m, k, n]] of SHAPES.entries()) {
      for (const accumulate of [false, true]) {
        const a = kernelArray(uniform(m * k, 10 * t + 1));
        const b = kernelArray(uniform(k * n, 10 * t + 2));
        const c0 = kernelArray(uniform(m * n, 10 * t + 3));
        const expected = c0.slice();
        reference(a, b, expected, m, k, n, accumulate);
        const [rsa, csa, rsb, csb] = strides(m, k, n);
        const results = [plain, relaxed].map((gemm) => {
          const c = kernelArray(c0);
          gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, accumulate);
          return c;
        });
        // Σ|a·b| + |c₀| per element, from the reference with absolute values.
        const absA = Float32Array.from(a, Math.abs);
        const absB = Float32Array.from(b, Math.abs);
        const magnitude = Float32Array.from(c0, (x) => (accumulate ? Math.abs(x) : 0));
        reference(absA, absB, magnitude, m, k, n, true);
        for (let i = 0; i < m * n; i++) {
          const bound = 4 * (k + 2) * 2 ** -24 * magnitude[i]! + 1e-30;
          const [p, r] = [results[0]![i]!, results[1]![i]!];
          worst = Math.max(worst, Math.abs(p - expected[i]!) / bound, Math.abs(r - expected[i]!) / bound, Math.abs(p - r) / bound);
          if (p !== r) differing++;
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    // Fused multiply-adds round differently somewhere; without FMA in the CPU the two may agree everywhere.
    if (fuses === true) expect(differing).toBeGreaterThan(0);
  });

  it.skipIf(!relaxedRuns || fuses === undefined)('every product path of the relaxed module fuses on an FMA CPU, none of the plain one', () => {
    // −1 + (1 + 2⁻¹²)²: 2⁻¹¹ + 2⁻²⁴ rounded once, 2⁻¹¹ when the square is rounded first (see kernelFusedMultiplyAdd).
    const fused = 2 ** -11 + 2 ** -24;
    const unfused = 2 ** -11;
    const x = 1 + 2 ** -12;
    for (const variant of KERNEL_VARIANTS) {
      const gemm = gemmOfVariant(variant);
      const expected = variant === 'relaxed' && fuses === true ? fused : unfused;
      // A·B with m rows (m ≥ 4: packed micro-kernel; m < 4: axpy_rows): a row [1, x], B rows [−1…], [x…].
      for (const m of [1, 4, 8]) {
        const n = 24;
        const a = kernelArray(Array.from({ length: 2 * m }, (_, i) => (i % 2 === 0 ? 1 : x)));
        const b = kernelArray(Array.from({ length: 2 * n }, (_, i) => (i < n ? -1 : x)));
        const c = kernelArray(new Float32Array(m * n));
        gemm(m, n, 2, a, 2, 1, b, n, 1, c, false);
        expect([...new Set(c)], `${variant} m=${m}`).toEqual([expected]);
      }
      // A·Bᵀ with one row (dot_rows): k = 8, each of the four lanes sums −1 + x² over p and p + 4.
      const n = 8;
      const a = kernelArray([1, 1, 1, 1, x, x, x, x]);
      const b = kernelArray(Array.from({ length: 8 * n }, (_, i) => (i % 8 < 4 ? -1 : x)));
      const c = kernelArray(new Float32Array(n));
      gemm(1, n, 8, a, 8, 1, b, 1, 8, c, false);
      expect([...new Set(c)], `${variant} dot_rows`).toEqual([4 * expected]);
    }
  });

  it.skipIf(!relaxedRuns)('vector kernels: e^x, Σx² and Adam agree between the variants to float32 rounding', () => {
    const [plain, relaxed] = KERNEL_VARIANTS.map(vectorOf);
    const n = 4000;
    const x = Float64Array.from({ length: n }, (_, i) => -87 + (i * 175) / n);
    const src = kernelArray(x);
    const exps = [plain!, relaxed!].map((kn) => {
      const dst = kernelArray(new Float32Array(n));
      const sum = kn.exp_sum(src.byteOffset, dst.byteOffset, n, 0);
      return { dst, sum };
    });
    let worstExp = 0;
    for (let i = 0; i < n; i++) {
      const exact = Math.exp(src[i]!);
      for (const { dst } of exps) worstExp = Math.max(worstExp, Math.abs(dst[i]! - exact) / exact);
    }
    expect(worstExp).toBeLessThan(3e-7);
    expect(Math.abs(exps[0]!.sum - exps[1]!.sum) / exps[0]!.sum).toBeLessThan(1e-6);

    const g = kernelArray(uniform(n, 5, -3, 3));
    const squares = [plain!, relaxed!].map((kn) => kn.sum_squares(g.byteOffset, n));
    let exact = 0;
    for (const v of g) exact += v * v;
    for (const s of squares) expect(Math.abs(s - exact) / exact).toBeLessThan(1e-13);

    const steps = [plain!, relaxed!].map((kn) => {
      const p = kernelArray(uniform(n, 6));
      const m = kernelArray(uniform(n, 7, -0.1, 0.1));
      const v = kernelArray(uniform(n, 8, 0, 0.01));
      // β₁, β₂, 1 − β₁, 1 − β₂, step size, 1/√(1 − β₂ᵗ), ε, weight decay: a second step of torch.optim.Adam.
      kn.adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, n, 0.9, 0.999, 0.1, 0.001, 0.01 / 0.19, 1 / Math.sqrt(0.001999), 1e-8, 0.1);
      return p;
    });
    let worstStep = 0;
    for (let i = 0; i < n; i++) worstStep = Math.max(worstStep, Math.abs(steps[0]![i]! - steps[1]![i]!));
    expect(worstStep).toBeLessThan(1e-6);
  });
});
