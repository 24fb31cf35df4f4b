/**
 * float64 matrix products in plain TypeScript, for gradient checks and parity tests. Loop orders keep the
 * innermost loop on contiguous memory (row axpy for A·B and Aᵀ·B, dot products for A·Bᵀ), several times
 * faster than the reference's i-j-p order; any summation order is exact enough for 1e-9 parity.
 */

/** C[m×n] (+)= A[m×k] · B[k×n] */
export function matmulF64(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number, accumulate: boolean): void {
  if (!accumulate) c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
    }
  }
}

/** C[m×n] (+)= A[m×k] · B[n×k]ᵀ */
export function matmulTransBF64(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
      c[i * n + j] = accumulate ? c[i * n + j]! + s : s;
    }
  }
}

/** C[m×n] (+)= A[k×m]ᵀ · B[k×n] */
export function matmulTransAF64(a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number, accumulate: boolean): void {
  if (!accumulate) c.fill(0, 0, m * n);
  for (let p = 0; p < k; p++) {
    const bp = p * n;
    for (let i = 0; i < m; i++) {
      const api = a[p * m + i]!;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j]! += api * b[bp + j]!;
    }
  }
}
