import { describe, expect, it } from 'vitest';
import { inKernelMemory, kernelMemoryStats } from '../../numerics/kernels/arena.ts';
import { allocate, allocationMark, release, releaseSince } from '../../numerics/tensor.ts';

describe('kernel memory (allocate float32)', () => {
  it('gives zeroed, 64-byte aligned views of kernel memory; float64 stays ordinary', () => {
    const a = allocate('float32', 37);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(37);
    expect(inKernelMemory(a)).toBe(true);
    expect(inKernelMemory(a.subarray(3))).toBe(true);
    expect(a.byteOffset % 64).toBe(0);
    expect(a.every((x) => x === 0)).toBe(true);
    expect(inKernelMemory(new Float32Array(4))).toBe(false);
    const d = allocate('float64', 5);
    expect(d).toBeInstanceOf(Float64Array);
    expect(inKernelMemory(d)).toBe(false);
  });

  it('keeps separate arrays apart', () => {
    const xs = [3, 1, 17, 64, 5].map((n) => allocate('float32', n) as Float32Array);
    xs.forEach((x, i) => {
      x.fill(i + 1);
    });
    xs.forEach((x, i) => {
      expect(x.every((v) => v === i + 1)).toBe(true);
    });
  });

  it('reuses released blocks, zeroed again, and refuses double or partial release', () => {
    const a = allocate('float32', 1000);
    a.fill(7);
    const offset = a.byteOffset;
    release(a);
    expect(() => release(a)).toThrow(/release/);
    const b = allocate('float32', 1000);
    expect(b.byteOffset).toBe(offset);
    expect(b.every((x) => x === 0)).toBe(true);
    expect(() => release(b.subarray(1))).toThrow(/release/);
    release(new Float32Array(3)); // not kernel memory: left to the garbage collector
    release(new Float64Array(3));
    release(b);
  });

  it('grows without detaching the views already handed out', () => {
    const before = allocate('float32', 1024);
    before.fill(3);
    const reserved = kernelMemoryStats().reserved;
    const big = allocate('float32', reserved / 4 + 1);
    expect(kernelMemoryStats().reserved).toBeGreaterThan(reserved);
    expect(before.length).toBe(1024);
    expect(before.every((x) => x === 3)).toBe(true);
    expect(inKernelMemory(big)).toBe(true);
    big[big.length - 1] = 1;
    release(big);
    release(before);
  });

  it('releaseSince frees everything allocated after the mark, so repeated model building does not grow memory', () => {
    const kept = allocate('float32', 10);
    kept.fill(2);
    const mark = allocationMark();
    const used = kernelMemoryStats().used;
    for (let i = 0; i < 3; i++) for (const n of [100, 1000, 5]) allocate('float32', n);
    expect(kernelMemoryStats().used).toBeGreaterThan(used);
    releaseSince(mark);
    expect(kernelMemoryStats().used).toBe(used);
    expect(kept.every((x) => x === 2)).toBe(true);
    const reserved = kernelMemoryStats().reserved;
    for (let round = 0; round < 5; round++) {
      const m = allocationMark();
      allocate('float32', 3_000_000);
      allocate('float32', 123);
      releaseSince(m);
    }
    expect(kernelMemoryStats().reserved).toBeLessThanOrEqual(Math.max(reserved, 3_000_128 * 4 + 64 * 65536));
    release(kept);
  });
});
