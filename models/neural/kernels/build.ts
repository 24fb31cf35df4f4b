import { writeFileSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { GEMM_WASM_URL } from './gemm.ts';
import { BLOCKING, gemmWat, type Blocking } from './gemm-wat.ts';

const FEATURES = { simd: true, threads: true };

/**
 * Assemble the kernel module from its generated text. Deterministic: the same source gives the same bytes, so the
 * committed `gemm.wasm` is checked against a fresh build by `test/neural/kernels-build.test.ts`.
 * `npm run build:kernels` rewrites it after a change to `gemm-wat.ts`.
 */
export async function buildGemmWasm(blocking: Blocking = BLOCKING): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('gemm.wat', gemmWat(blocking), FEATURES);
  try {
    // wabt's typings omit validate's features argument; without it shared memory is rejected.
    const validate: (this: typeof module, features: typeof FEATURES) => void = module.validate;
    validate.call(module, FEATURES);
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: true }).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildGemmWasm();
  const path = fileURLToPath(GEMM_WASM_URL);
  writeFileSync(path + '.tmp', bytes);
  renameSync(path + '.tmp', path);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
