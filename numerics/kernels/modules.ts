import { readFileSync } from 'node:fs';

/**
 * The two committed WebAssembly modules (assembled from `gemm-wat.ts` and `vector-wat.ts` by
 * `npm run build:kernels`), compiled once per thread. Every thread instantiates them on the same shared
 * kernel memory (`arena.ts`).
 */
export const GEMM_WASM_URL = new URL('./gemm.wasm', import.meta.url);
export const VECTOR_WASM_URL = new URL('./vector.wasm', import.meta.url);

let gemm: WebAssembly.Module | undefined;
let vector: WebAssembly.Module | undefined;

export function gemmModule(): WebAssembly.Module {
  gemm ??= new WebAssembly.Module(readFileSync(GEMM_WASM_URL));
  return gemm;
}

export function vectorModule(): WebAssembly.Module {
  vector ??= new WebAssembly.Module(readFileSync(VECTOR_WASM_URL));
  return vector;
}
