import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Embedding,
  GRU,
  Linear,
  LSTM,
  manualSeed,
  rand,
  randn,
  RNN,
  TorchGenerator,
  type DType,
  type EmbeddingOptions,
  type LinearOptions,
  type Parameter,
  type RNNOptions,
} from '../../index.ts';
import { MT19937 } from '../../numerics/torch/mt19937.ts';

interface Draw {
  kind: 'rand' | 'randn';
  seed: number;
  shape: number[];
  dtype: DType;
  data: number[];
}
interface ModuleSpec {
  kind: 'rnn' | 'lstm' | 'gru' | 'linear' | 'embedding';
  options: Record<string, number | boolean | string>;
  parameters: { name: string; shape: number[]; data: number[] }[];
}
interface Fixture {
  torch: string;
  draws: Draw[];
  sequences: { seed: number; draws: Omit<Draw, 'seed' | 'dtype'>[] }[];
  modules: { seed: number; dtype: DType; modules: ModuleSpec[]; randnAfter: number[] }[];
}

const fixture: Fixture = JSON.parse(readFileSync(new URL('../fixtures/torch/torch_random.json', import.meta.url), 'utf8'));

/** Distance in units in the last place of the format (float32 or float64) between two values of it. */
function ulps(a: number, b: number, dtype: DType): number {
  if (a === b) return 0;
  if (dtype === 'float32') {
    const i = new Int32Array(new Float32Array([a, b]).buffer);
    return Math.abs(i[0]! - i[1]!);
  }
  const i = new BigInt64Array(new Float64Array([a, b]).buffer);
  return Number(i[0]! > i[1]! ? i[0]! - i[1]! : i[1]! - i[0]!);
}

function worstUlps(ours: ArrayLike<number>, theirs: readonly number[], dtype: DType): number {
  expect(ours.length).toBe(theirs.length);
  let worst = 0;
  for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, ulps(ours[i]!, theirs[i]!, dtype));
  return worst;
}

/**
 * What we hold ourselves to: float32 draws (uniform, and normal through the AVX2 kernel's float32 transform,
 * reproduced operation by operation) equal torch's exactly. In float64, uniform is exact too, but normals go
 * through the C library's log, sin and cos (glibc in torch, V8's fdlibm port here), which may differ in the
 * last place: a few ulps of float64.
 */
function tolerance(kind: 'uniform' | 'normal', dtype: DType): number {
  return dtype === 'float64' && kind === 'normal' ? 4 : 0;
}

function build(spec: ModuleSpec, dtype: DType, generator: TorchGenerator | undefined): { namedParameters(): readonly Parameter[] } {
  const o = { ...spec.options, dtype, ...(generator ? { generator } : {}) };
  switch (spec.kind) {
    case 'rnn':
      return new RNN(o as unknown as RNNOptions);
    case 'lstm':
      return new LSTM(o as unknown as RNNOptions);
    case 'gru':
      return new GRU(o as unknown as RNNOptions);
    case 'linear':
      return new Linear(o as unknown as LinearOptions);
    case 'embedding':
      return new Embedding(o as unknown as EmbeddingOptions);
  }
}

describe('TorchGenerator (MT19937 as torch seeds it)', () => {
  it('gives the reference MT19937 outputs for seed 5489, the 10,000th among them', () => {
    const mt = new MT19937(5489);
    const first = Array.from({ length: 10 }, () => mt.nextUint32());
    expect(first).toEqual([3499211612, 581869302, 3890346734, 3586334585, 545404204, 4161255391, 3922919429, 949333985, 2715962298, 1323567403]);
    for (let i = 11; i < 10000; i++) mt.nextUint32();
    // C++11 [rand.predef]: the 10,000th output of a default-constructed mt19937 is 4123659995.
    expect(mt.nextUint32()).toBe(4123659995);
  });

  it('joins two draws into random64, the first one high', () => {
    const a = new TorchGenerator(1);
    const b = new TorchGenerator(1);
    const high = b.random();
    const low = b.random();
    expect(a.random64()).toBe((BigInt(high) << 32n) | BigInt(low));
  });

  it('forgets the cached normal when reseeded, and restores it with its state', () => {
    const g = new TorchGenerator(0);
    const first = g.normalFloat64();
    const cached = g.normalFloat64();
    g.manualSeed(0);
    expect(g.normalFloat64()).toBe(first);
    const state = g.getState();
    expect(g.normalFloat64()).toBe(cached);
    g.setState(state);
    expect(g.normalFloat64()).toBe(cached);
    expect(g.initialSeed()).toBe(0);
  });

  it('refuses seeds that are not integers a number holds exactly', () => {
    expect(() => new TorchGenerator(2 ** 53)).toThrow(/seed/);
    expect(() => manualSeed(0.5)).toThrow(/seed/);
  });
});

describe(`rand and randn against torch ${fixture.torch}`, () => {
  for (const d of fixture.draws) {
    it(`${d.kind}(${d.shape.join(', ')}) ${d.dtype} after manual_seed(${d.seed})`, () => {
      manualSeed(d.seed);
      const t = (d.kind === 'rand' ? rand : randn)(d.shape, { dtype: d.dtype });
      expect(t.shape).toEqual(d.shape);
      expect(t.data).toBeInstanceOf(d.dtype === 'float32' ? Float32Array : Float64Array);
      expect(worstUlps(t.data, d.data, d.dtype)).toBeLessThanOrEqual(tolerance(d.kind === 'rand' ? 'uniform' : 'normal', d.dtype));
      // The same draws from a generator of one's own.
      const own = (d.kind === 'rand' ? rand : randn)(d.shape, { dtype: d.dtype, generator: new TorchGenerator(d.seed) });
      expect([...own.data]).toEqual([...t.data]);
    });
  }

  for (const s of fixture.sequences) {
    it(`draws one after another from manual_seed(${s.seed}), the cached scalar normal included`, () => {
      manualSeed(s.seed);
      for (const d of s.draws) {
        const t = (d.kind === 'rand' ? rand : randn)(d.shape);
        expect(worstUlps(t.data, d.data, 'float32')).toBe(0);
      }
    });
  }
});

describe(`layer initialisation against torch ${fixture.torch}`, () => {
  fixture.modules.forEach((c, index) => {
    const title = c.modules.map((m) => `${m.kind}(${JSON.stringify(m.options)})`).join(' → ');
    // Half of the cases through the global generator, half through a generator of their own.
    const own = index % 2 === 1;
    it(`${title} ${c.dtype} after manual_seed(${c.seed})${own ? ', from its own generator' : ''}`, () => {
      const generator = own ? new TorchGenerator(c.seed) : undefined;
      if (!own) manualSeed(c.seed);
      for (const spec of c.modules) {
        const params = build(spec, c.dtype, generator).namedParameters();
        expect(params.map((p) => p.name)).toEqual(spec.parameters.map((p) => p.name));
        const normal = spec.kind === 'embedding';
        params.forEach((p, i) => {
          expect([...p.shape]).toEqual(spec.parameters[i]!.shape);
          expect(worstUlps(p.data, spec.parameters[i]!.data, c.dtype), p.name).toBeLessThanOrEqual(tolerance(normal ? 'normal' : 'uniform', c.dtype));
        });
      }
      // The generator is where torch's is after the same modules.
      const after = randn([5], { dtype: c.dtype, ...(generator ? { generator } : {}) });
      expect(worstUlps(after.data, c.randnAfter, c.dtype)).toBeLessThanOrEqual(tolerance('normal', c.dtype));
    });
  });

  it('keeps the seed option as it was: a seeded layer draws from its own Random stream, not from the torch generator', () => {
    manualSeed(0);
    const seeded = new GRU({ inputSize: 3, hiddenSize: 4, seed: 7 });
    const fromTorch = new GRU({ inputSize: 3, hiddenSize: 4, generator: new TorchGenerator(0) });
    const again = new GRU({ inputSize: 3, hiddenSize: 4, seed: 7 });
    expect([...seeded.namedParameters()[0]!.data]).toEqual([...again.namedParameters()[0]!.data]);
    expect([...seeded.namedParameters()[0]!.data]).not.toEqual([...fromTorch.namedParameters()[0]!.data]);
    // Building the seeded layer drew nothing from the global generator.
    expect([...new GRU({ inputSize: 3, hiddenSize: 4 }).namedParameters()[0]!.data]).toEqual([...fromTorch.namedParameters()[0]!.data]);
  });
});
