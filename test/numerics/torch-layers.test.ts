import { describe, expect, it } from 'vitest';
import { Embedding, Linear, TorchGenerator, UserError } from '../../index.ts';

describe('Linear (torch.nn.Linear)', () => {
  it('computes y = x·Wᵀ + b over the last axis, with torch names and shapes', () => {
    const linear = new Linear({ inFeatures: 3, outFeatures: 2, generator: new TorchGenerator(0) });
    expect(linear.namedParameters().map((p) => `${p.name}:${p.shape.join('x')}`)).toEqual(['weight:2x3', 'bias:2']);
    linear.weight.data.set([1, 2, 3, -1, 0, 1]);
    linear.bias!.data.set([0.5, -0.5]);
    const y = linear.forward({ shape: [2, 1, 3], data: Float32Array.from([1, 1, 1, 0, 2, -1]) });
    expect(y.shape).toEqual([2, 1, 2]);
    expect([...y.data]).toEqual([6.5, -0.5, 1.5, -1.5]);
    expect(new Linear({ inFeatures: 3, outFeatures: 2, bias: false }).namedParameters().map((p) => p.name)).toEqual(['weight']);
  });

  it('draws its weight and bias within ±1/√in', () => {
    const linear = new Linear({ inFeatures: 16, outFeatures: 32, generator: new TorchGenerator(1) });
    for (const p of linear.namedParameters()) for (const v of p.data) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
  });

  it('refuses bad sizes and inputs', () => {
    expect(() => new Linear({ inFeatures: 0, outFeatures: 2 })).toThrow(UserError);
    const linear = new Linear({ inFeatures: 3, outFeatures: 2 });
    expect(() => linear.forward({ shape: [2, 2], data: new Float32Array(4) })).toThrow(/\[\.\.\., 3\]/);
    expect(() => linear.forward({ shape: [1, 3], data: new Float64Array(3) })).toThrow(/float32/);
  });
});

describe('Embedding (torch.nn.Embedding)', () => {
  it('looks rows up by id, in the shape of the ids', () => {
    const embedding = new Embedding({ numEmbeddings: 4, embeddingDim: 2, generator: new TorchGenerator(0) });
    embedding.weight.data.set([0, 1, 10, 11, 20, 21, 30, 31]);
    const out = embedding.forward([3, 0, 2, 2], [2, 2]);
    expect(out.shape).toEqual([2, 2, 2]);
    expect([...out.data]).toEqual([30, 31, 0, 1, 20, 21, 20, 21]);
  });

  it('keeps the padding row at 0, a negative paddingIdx counting from the end', () => {
    const embedding = new Embedding({ numEmbeddings: 5, embeddingDim: 3, paddingIdx: -2 });
    expect(embedding.paddingIdx).toBe(3);
    expect([...embedding.weight.data.subarray(9, 12)]).toEqual([0, 0, 0]);
    expect([...embedding.weight.data.subarray(0, 9)].every((v) => v !== 0)).toBe(true);
  });

  it('refuses ids outside the table and bad options', () => {
    const embedding = new Embedding({ numEmbeddings: 3, embeddingDim: 2 });
    expect(() => embedding.forward([3])).toThrow(/outside/);
    expect(() => embedding.forward([0, 1], [3])).toThrow(/must number/);
    expect(() => new Embedding({ numEmbeddings: 3, embeddingDim: 2, paddingIdx: 3 })).toThrow(/paddingIdx/);
  });
});
