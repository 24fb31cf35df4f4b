import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { UserError } from '../../errors/user-error.ts';
import type { KernelVariant } from './variant-wat.ts';

/**
 * Which kernel variant (`variant-wat.ts`) a process runs: plain SIMD (`gemm.wasm`, `vector.wasm`) or relaxed SIMD,
 * whose multiply-adds are `relaxed_madd` (`gemm-relaxed.wasm`, `vector-relaxed.wasm`). One variant is chosen per
 * process, the first time a kernel is used (`modules.ts` compiles it); the worker threads (`threads.ts`) are handed
 * the same compiled modules, so every thread of a process runs the same variant and a split product equals the
 * one-thread result bit for bit. Nothing here names a WebAssembly type, so the package's declarations need none.
 *
 * The choice: `PERPLEXITY_KERNELS` = `auto` (default: relaxed when the runtime validates it, else plain), `simd`
 * (force the plain modules) or `relaxed` (require relaxed; an error where the runtime lacks it).
 */
export type KernelModuleName = 'gemm' | 'vector';

export function moduleUrl(name: KernelModuleName, variant: KernelVariant): URL {
  return new URL(variant === 'relaxed' ? `./${name}-relaxed.wasm` : `./${name}.wasm`, import.meta.url);
}

export const GEMM_WASM_URL = moduleUrl('gemm', 'simd');
export const VECTOR_WASM_URL = moduleUrl('vector', 'simd');

/** The values `PERPLEXITY_KERNELS` takes. */
export type KernelSetting = 'auto' | KernelVariant;

function kernelSetting(): KernelSetting {
  const value = process.env.PERPLEXITY_KERNELS;
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'simd' || value === 'relaxed') return value;
  throw new UserError(`PERPLEXITY_KERNELS must be auto, simd or relaxed, got '${value}'`);
}

const bytes = new Map<string, Uint8Array>();

/** The committed bytes of a module, read once. */
export function moduleBytes(name: KernelModuleName, variant: KernelVariant): Uint8Array {
  const key = `${name}-${variant}`;
  let b = bytes.get(key);
  if (b === undefined) {
    b = readFileSync(moduleUrl(name, variant));
    bytes.set(key, b);
  }
  return b;
}

const relaxedValid = (): boolean => WebAssembly.validate(moduleBytes('gemm', 'relaxed')) && WebAssembly.validate(moduleBytes('vector', 'relaxed'));

let relaxedSupport: boolean | undefined;

/**
 * Whether this runtime runs the relaxed modules. Node ≥ 22 (V8 ≥ 12) has relaxed SIMD on; Node 20 and 21 have it
 * behind `--experimental-wasm-relaxed-simd`, which is turned on here, at run time, before anything relaxed is
 * compiled. V8's flags are process-wide, so worker threads see it too. This covers every way the project is
 * started (the CLI, each cell process of `run`, vitest's workers, benchmarks, a user's program importing the
 * package) from one place, where passing the flag would need each launcher to do it and cannot reach library
 * users. Node's caveat on flags set after start-up is met by asking `WebAssembly.validate` afterwards: if the
 * flag did not take, the plain modules run.
 */
export function relaxedSimdSupported(): boolean {
  if (relaxedSupport === undefined) {
    let valid = relaxedValid();
    const major = Number(process.versions.node.split('.')[0]);
    // Only Node 20–21 know the flag (V8 prints an error for an unknown one).
    if (!valid && major < 22) {
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      valid = relaxedValid();
    }
    relaxedSupport = valid;
  }
  return relaxedSupport;
}

let active: KernelVariant | undefined;

/**
 * The kernel variant this process runs: 'relaxed' (fused multiply-add where the CPU has it) or 'simd' (the plain
 * fallback), chosen on first use from `PERPLEXITY_KERNELS` and what the runtime validates.
 */
export function kernelVariant(): KernelVariant {
  if (active === undefined) {
    const setting = kernelSetting();
    if (setting === 'simd') active = 'simd';
    else if (relaxedSimdSupported()) active = 'relaxed';
    else if (setting === 'relaxed') throw new UserError(`PERPLEXITY_KERNELS=relaxed, but Node ${process.version} does not validate relaxed SIMD`);
    else active = 'simd';
  }
  return active;
}
