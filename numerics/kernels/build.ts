import { fileURLToPath } from 'node:url';
import { assembleWat, writeModule } from './assemble.ts';
import { BLOCKING, gemmWat, type Blocking } from './gemm-wat.ts';
import { moduleUrl } from './variant.ts';
import { KERNEL_VARIANTS, type KernelVariant } from './variant-wat.ts';
import { vectorWat } from './vector-wat.ts';

/**
 * The kernel modules from their generated text (`gemm-wat.ts`, `vector-wat.ts`), each in both variants
 * (`variant-wat.ts`): `gemm.wasm`, `vector.wasm` (plain SIMD) and `gemm-relaxed.wasm`, `vector-relaxed.wasm`.
 * The committed files are checked against a fresh build by `test/numerics/kernels-build.test.ts`;
 * `npm run build:kernels` rewrites all four.
 */
export function buildGemmWasm(blocking: Blocking = BLOCKING, variant: KernelVariant = 'simd'): Promise<Uint8Array> {
  return assembleWat(`gemm-${variant}.wat`, gemmWat(blocking, variant), variant);
}

export function buildVectorWasm(variant: KernelVariant = 'simd'): Promise<Uint8Array> {
  return assembleWat(`vector-${variant}.wat`, vectorWat(variant), variant);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const variant of KERNEL_VARIANTS) {
    writeModule(moduleUrl('gemm', variant), await buildGemmWasm(BLOCKING, variant));
    writeModule(moduleUrl('vector', variant), await buildVectorWasm(variant));
  }
}
