import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

/** SIMD, shared memory with atomics, and memory.fill. */
const FEATURES = { simd: true, threads: true, bulk_memory: true };

/**
 * Assemble generated WebAssembly text, deterministically: the same text always gives the same bytes, so
 * the committed modules are checked against a fresh build by the tests.
 */
export async function assembleWat(name: string, text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, text, FEATURES);
  try {
    // wabt's typings omit validate's features argument; without it shared memory is rejected.
    const validate: (this: typeof module, features: typeof FEATURES) => void = module.validate;
    validate.call(module, FEATURES);
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: true }).buffer;
  } finally {
    module.destroy();
  }
}

/** Write a module beside its source through a temporary file and a rename (never half-written). */
export function writeModule(url: URL, bytes: Uint8Array): void {
  const path = fileURLToPath(url);
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
  console.log(`wrote ${path} (${bytes.length} bytes)`);
}
