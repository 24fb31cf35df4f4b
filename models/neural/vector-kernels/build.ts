import { fileURLToPath } from 'node:url';
import { assembleWat, writeModule } from '../kernels/assemble.ts';
import { VECTOR_WASM_URL } from '../kernels/modules.ts';
import { vectorWat } from './vector-wat.ts';

/**
 * The vector kernels' module from its generated text (`vector-wat.ts`). The committed `vector.wasm` is checked
 * against a fresh build by test/neural/vector-kernels.test.ts; `npm run build:kernels` rewrites it.
 */
export function buildVectorWasm(): Promise<Uint8Array> {
  return assembleWat('vector.wat', vectorWat());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeModule(VECTOR_WASM_URL, await buildVectorWasm());
