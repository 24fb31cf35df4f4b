import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { VECTOR_WASM_URL } from './vector.ts';
import { vectorWat } from './vector-wat.ts';

const FEATURES = { simd: true, threads: true };

/**
 * Assemble the vector kernels from their generated text, deterministically (the committed `vector.wasm` is
 * checked against a fresh build by test/neural/vector-kernels.test.ts). `npm run build:kernels` rewrites it.
 */
export async function buildVectorWasm(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('vector.wat', vectorWat(), FEATURES);
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
  const bytes = await buildVectorWasm();
  const path = fileURLToPath(VECTOR_WASM_URL);
  writeFileSync(path + '.tmp', bytes);
  renameSync(path + '.tmp', path);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
