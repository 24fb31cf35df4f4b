import type { FloatArray } from './tensor.ts';

/**
 * Plain TypeScript matrix products: the reference every fast kernel is tested against. Row-major;
 * `accumulate` adds into C instead of overwriting it.
 */

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function matmulReference(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function matmulTransBReference(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[j * k + p]!;
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function matmulTransAReference(a: FloatArray, b: FloatArray, c: FloatArray, m: number, k: number, n: number, accumulate = false): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * m + i]! * b[p * n + j]!;
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}
