import { kernelVariant, moduleBytes, relaxedSimdSupported, type KernelModuleName } from './variant.ts';
import type { KernelVariant } from './variant-wat.ts';

/**
 * The committed WebAssembly modules (assembled from `gemm-wat.ts` and `vector-wat.ts` by `npm run build:kernels`),
 * compiled once per thread: the variant the process runs (`variant.ts`) for the kernels, either for the tests and
 * benchmarks that compare them.
 */
const compiled = new Map<string, WebAssembly.Module>();

/**
 * A kernel module of a given variant, compiled once. The kernels use the active variant's (`gemmModule`,
 * `vectorModule`); tests and benchmarks load both to compare them in one process.
 */
export function kernelModule(name: KernelModuleName, variant: KernelVariant): WebAssembly.Module {
  const key = `${name}-${variant}`;
  let m = compiled.get(key);
  if (m === undefined) {
    if (variant === 'relaxed' && !relaxedSimdSupported()) throw new Error(`kernels: Node ${process.version} does not validate relaxed SIMD`);
    m = new WebAssembly.Module(moduleBytes(name, variant));
    compiled.set(key, m);
  }
  return m;
}

export function gemmModule(): WebAssembly.Module {
  return kernelModule('gemm', kernelVariant());
}

export function vectorModule(): WebAssembly.Module {
  return kernelModule('vector', kernelVariant());
}
