import { fileURLToPath } from 'node:url';
import { assembleWat, writeModule } from './assemble.ts';
import { BLOCKING, gemmWat, type Blocking } from './gemm-wat.ts';
import { GEMM_WASM_URL, VECTOR_WASM_URL } from './modules.ts';
import { vectorWat } from './vector-wat.ts';

/**
 * The two kernel modules from their generated text (`gemm-wat.ts`, `vector-wat.ts`). The committed `gemm.wasm`
 * and `vector.wasm` are checked against a fresh build by `test/numerics/kernels-build.test.ts`;
 * `npm run build:kernels` rewrites them.
 */
export function buildGemmWasm(blocking: Blocking = BLOCKING): Promise<Uint8Array> {
  return assembleWat('gemm.wat', gemmWat(blocking));
}

export function buildVectorWasm(): Promise<Uint8Array> {
  return assembleWat('vector.wat', vectorWat());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeModule(GEMM_WASM_URL, await buildGemmWasm());
  writeModule(VECTOR_WASM_URL, await buildVectorWasm());
}
