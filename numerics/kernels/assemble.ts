import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

import type { KernelVariant } from './variant-wat.ts';

interface Features {
  simd: boolean;
  threads: boolean;
  bulk_memory: boolean;
  relaxed_simd: boolean;
}

/**
 * SIMD, shared memory with atomics, and memory.fill; relaxed SIMD only for the relaxed variant, so that a relaxed
 * instruction in the plain modules' text fails to assemble instead of reaching a runtime without relaxed SIMD.
 */
const features = (variant: KernelVariant): Features => ({ simd: true, threads: true, bulk_memory: true, relaxed_simd: variant === 'relaxed' });

/**
 * Assemble generated WebAssembly text, deterministically: the same text always gives the same bytes, so
 * the committed modules are checked against a fresh build by the tests.
 */
export async function assembleWat(name: string, text: string, variant: KernelVariant = 'simd'): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const enabled = features(variant);
  const module = wabt.parseWat(name, text, enabled);
  try {
    // wabt's typings omit validate's features argument; without it shared memory is rejected.
    const validate: (this: typeof module, features: Features) => void = module.validate;
    validate.call(module, enabled);
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
