import { fileURLToPath } from 'node:url';
import { assembleWat, writeModule } from './assemble.ts';
import { BLOCKING, gemmWat, type Blocking } from './gemm-wat.ts';
import { GEMM_WASM_URL } from './modules.ts';

/**
 * The matrix kernels' module from its generated text (`gemm-wat.ts`). The committed `gemm.wasm` is checked
 * against a fresh build by `test/neural/kernels-build.test.ts`; `npm run build:kernels` rewrites it.
 */
export function buildGemmWasm(blocking: Blocking = BLOCKING): Promise<Uint8Array> {
  return assembleWat('gemm.wat', gemmWat(blocking));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeModule(GEMM_WASM_URL, await buildGemmWasm());
