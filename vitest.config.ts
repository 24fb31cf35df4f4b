import { defineConfig } from 'vitest/config';

/** The tests of the kernels themselves, run a second time on the plain SIMD fallback (numerics/kernels/modules.ts). */
const KERNEL_TESTS = ['test/numerics/matmul.test.ts', 'test/numerics/vector-kernels.test.ts', 'test/numerics/kernel-threads.test.ts'];
/**
 * Tests held to numbers recorded on the plain SIMD kernels: they run on those kernels only. (Fused multiply-adds
 * move the last bits, and two of the recorded runs, at an effective learning rate of 3 and 0.05 without
 * momentum, are chaotic enough to amplify that into different trajectories.)
 */
const PLAIN_KERNEL_TESTS = ['test/numerics/fit-parity.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Model training in tests is CPU-bound; two workers match this 2-core machine.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      // Every test on the kernels the process chooses (relaxed SIMD where the runtime has it, unless
      // PERPLEXITY_KERNELS says otherwise).
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'], exclude: PLAIN_KERNEL_TESTS } },
      { extends: true, test: { name: 'simd-kernels', include: [...KERNEL_TESTS, ...PLAIN_KERNEL_TESTS], env: { PERPLEXITY_KERNELS: 'simd' } } },
    ],
  },
});
