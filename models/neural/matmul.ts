import { matmulReference, matmulTransAReference, matmulTransBReference } from './matmul-reference.ts';
import type { FloatArray } from './tensor.ts';

/**
 * The matrix products every neural model uses. A, B and C share one dtype; shapes as in the reference.
 * (The float32 path is where the fast kernels go; until then both dtypes use the reference.)
 */
export const matmul: (a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, accumulate?: boolean) => void = matmulReference;
export const matmulTransB: typeof matmul = matmulTransBReference;
export const matmulTransA: typeof matmul = matmulTransAReference;
