import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGemmWasm, buildVectorWasm } from '../../numerics/kernels/build.ts';
import { BLOCKING, gemmWat } from '../../numerics/kernels/gemm-wat.ts';
import { moduleUrl } from '../../numerics/kernels/variant.ts';
import { KERNEL_VARIANTS } from '../../numerics/kernels/variant-wat.ts';
import { vectorWat } from '../../numerics/kernels/vector-wat.ts';

describe('kernel build', () => {
  it.each(KERNEL_VARIANTS)(
    'the committed %s gemm and vector modules are byte for byte what their source assembles to (else: npm run build:kernels)',
    async (variant) => {
      const gemm = await buildGemmWasm(BLOCKING, variant);
      expect(gemm.length).toBeGreaterThan(1000);
      expect(Buffer.compare(Buffer.from(gemm), readFileSync(moduleUrl('gemm', variant)))).toBe(0);
      const vector = await buildVectorWasm(variant);
      expect(Buffer.compare(Buffer.from(vector), readFileSync(moduleUrl('vector', variant)))).toBe(0);
    },
  );

  it('the relaxed text differs from the plain one only in its multiply-adds', () => {
    for (const [plain, relaxed] of [
      [gemmWat(BLOCKING, 'simd'), gemmWat(BLOCKING, 'relaxed')],
      [vectorWat('simd'), vectorWat('relaxed')],
    ] as const) {
      expect(plain).not.toMatch(/relaxed/);
      const madds = relaxed.match(/relaxed_n?madd/g)?.length ?? 0;
      expect(madds).toBeGreaterThan(3);
      // Every relaxed multiply-add replaces one multiply and one add (or sub) of the plain text.
      const count = (text: string, op: RegExp): number => text.match(op)?.length ?? 0;
      expect(count(plain, /\.mul /g) - count(relaxed, /\.mul /g)).toBe(madds);
      expect(count(plain, /\.(add|sub) /g) - count(relaxed, /\.(add|sub) /g)).toBe(madds);
    }
  });
});
