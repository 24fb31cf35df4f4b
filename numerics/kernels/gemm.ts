import { allocateBytes, allocateF32, inKernelMemory, kernelMemory, releaseBytes, releaseF32 } from './arena.ts';
import { kernelModule } from './modules.ts';
import { kernelVariant } from './variant.ts';
import { gemmParallel, type ParallelKernels } from './threads.ts';
import type { KernelVariant } from './variant-wat.ts';

/**
 * The float32 matrix product on WebAssembly SIMD: C[m×n] (+)= op(A)·op(B), where op(A)(i, p) =
 * a[i·rsa + p·csa] and op(B)(p, j) = b[p·rsb + j·csb] (strides in elements) and C is row-major m×n.
 * Operands in kernel memory (`arena.ts`) are used in place; any other Float32Array is copied into
 * scratch kernel memory first (and C copied back), which is correct but slower. Callers check shapes,
 * lengths and overlap (`matmul.ts`): the kernel reads and writes raw memory.
 */

interface GemmExports {
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    rsa: number,
    csa: number,
    b: number,
    rsb: number,
    csb: number,
    c: number,
    ldc: number,
    beta: number,
    work: number,
  ): void;
  gemm_work(job: number, work: number): number;
  work_bytes(): number;
}

interface Kernels extends ParallelKernels {
  gemm: GemmExports['gemm'];
  /** This thread's scratch: packed blocks of A and B and the edge tile. */
  work: number;
}

const loaded = new Map<KernelVariant, Kernels>();

/** The matrix kernels of a variant on this thread (the active one's serve `gemmF32`), with their scratch. */
function kernelsOf(variant: KernelVariant): Kernels {
  let kn = loaded.get(variant);
  if (kn === undefined) {
    const instance = new WebAssembly.Instance(kernelModule('gemm', variant), { env: { memory: kernelMemory() } });
    const exports = instance.exports as unknown as GemmExports;
    const workBytes = exports.work_bytes();
    kn = { gemm: exports.gemm, gemmWork: exports.gemm_work, workBytes, work: allocateBytes(workBytes) };
    loaded.set(variant, kn);
  }
  return kn;
}

let active: Kernels | undefined;
const kernels = (): Kernels => {
  active ??= kernelsOf(kernelVariant());
  return active;
};

/** C[m×n] (+)= op(A)·op(B) as `gemmF32`, on one thread, by the kernels of a given variant: both variants in one process. */
export type VariantProduct = typeof gemmF32;

/**
 * The product of one kernel variant, whichever the process runs, for the tests and benchmarks that compare the
 * two. Operands must be in kernel memory (`allocate`); shapes are not checked.
 */
export function gemmOfVariant(variant: KernelVariant): VariantProduct {
  const kn = kernelsOf(variant);
  return (m, n, k, a, rsa, csa, b, rsb, csb, c, accumulate) => {
    if (!inKernelMemory(a) || !inKernelMemory(b) || !inKernelMemory(c)) throw new Error('gemmOfVariant: operands must be in kernel memory');
    kn.gemm(m, n, k, a.byteOffset, rsa, csa, b.byteOffset, rsb, csb, c.byteOffset, n, accumulate ? 1 : 0, kn.work);
  };
}

/** One product on kernel-memory pointers: split across threads when it is large, else on this one. */
function run(
  kn: Kernels,
  m: number,
  n: number,
  k: number,
  a: number,
  rsa: number,
  csa: number,
  b: number,
  rsb: number,
  csb: number,
  c: number,
  beta: number,
): void {
  if (!gemmParallel(kn, kn.work, m, n, k, a, rsa, csa, b, rsb, csb, c, beta)) kn.gemm(m, n, k, a, rsa, csa, b, rsb, csb, c, n, beta, kn.work);
}

/** Elements spanned by a rows×cols operand with strides (rs, cs): one past its largest index. */
export function extent(rows: number, cols: number, rs: number, cs: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * rs + (cols - 1) * cs + 1;
}

/** A pointer to `length` elements of `x` in kernel memory: `x` itself, or a scratch copy (`copied`). */
interface Placed {
  pointer: number;
  copied: boolean;
}

function place(x: Float32Array, length: number, copyIn: boolean): Placed {
  if (inKernelMemory(x)) return { pointer: x.byteOffset, copied: false };
  const pointer = allocateBytes(length * 4);
  if (copyIn) new Float32Array(kernelMemory().buffer, pointer, length).set(x.subarray(0, length));
  return { pointer, copied: true };
}

export function gemmF32(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  rsa: number,
  csa: number,
  b: Float32Array,
  rsb: number,
  csb: number,
  c: Float32Array,
  accumulate: boolean,
): void {
  const aLength = extent(m, k, rsa, csa);
  const bLength = extent(k, n, rsb, csb);
  const cLength = m * n;
  if (cLength === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, cLength);
    return;
  }
  const kn = kernels();
  const beta = accumulate ? 1 : 0;
  if (inKernelMemory(a) && inKernelMemory(b) && inKernelMemory(c)) {
    run(kn, m, n, k, a.byteOffset, rsa, csa, b.byteOffset, rsb, csb, c.byteOffset, beta);
    return;
  }
  const pa = place(a, aLength, true);
  const pb = place(b, bLength, true);
  const pc = place(c, cLength, accumulate);
  try {
    run(kn, m, n, k, pa.pointer, rsa, csa, pb.pointer, rsb, csb, pc.pointer, beta);
    if (pc.copied) c.set(new Float32Array(kernelMemory().buffer, pc.pointer, cLength));
  } finally {
    for (const p of [pa, pb, pc]) if (p.copied) releaseBytes(p.pointer);
  }
}

/**
 * Whether the kernels' multiply-adds are fused (rounded once): true for the relaxed variant on a CPU with FMA
 * (x86 FMA3, Arm), false for the plain variant. `variant` defaults to the active one. Asked of the kernels
 * themselves: with a = [1, 1 + 2⁻¹²] and the rows of B all −1 and all 1 + 2⁻¹², the sum −1 + (1 + 2⁻¹²)² is
 * 2⁻¹¹ + 2⁻²⁴ when the square is not rounded first, and 2⁻¹¹ when it is (1 + 2⁻¹¹ + 2⁻²⁴ rounds to 1 + 2⁻¹¹ in
 * float32).
 */
export function kernelFusedMultiplyAdd(variant: KernelVariant = kernelVariant()): boolean {
  const width = 16;
  const a = allocateF32(2);
  const b = allocateF32(2 * width);
  const c = allocateF32(width);
  try {
    a.set([1, 1 + 2 ** -12]);
    b.fill(-1, 0, width).fill(1 + 2 ** -12, width);
    gemmOfVariant(variant)(1, width, 2, a, 2, 1, b, width, 1, c, false);
    return c.every((x) => x === 2 ** -11 + 2 ** -24);
  } finally {
    for (const x of [a, b, c]) releaseF32(x);
  }
}
