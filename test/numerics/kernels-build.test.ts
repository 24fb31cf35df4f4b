import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGemmWasm } from '../../numerics/kernels/build.ts';
import { GEMM_WASM_URL } from '../../numerics/kernels/modules.ts';

describe('kernel build', () => {
  it('the committed gemm.wasm is byte for byte what its source assembles to (else: npm run build:kernels)', async () => {
    const built = await buildGemmWasm();
    const committed = readFileSync(GEMM_WASM_URL);
    expect(built.length).toBeGreaterThan(1000);
    expect(Buffer.compare(Buffer.from(built), committed)).toBe(0);
  });
});
