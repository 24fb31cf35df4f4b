import { UserError } from '../../errors/user-error.ts';
import { fmaFloat32, fmaFloat64 } from './fused-multiply-add.ts';
import { MT19937 } from './mt19937.ts';

/** torch's `default_rng_seed_val` (c10/core/GeneratorImpl.h): the seed of a generator nobody seeded. */
export const TORCH_DEFAULT_SEED = 67280421310721;

const TWO_POW_32 = 2 ** 32;
const FLOAT32_DIGITS_MASK = 0xffffff;
const FLOAT32_DIVISOR = 2 ** -24;
const DOUBLE_HIGH_MASK = 0x1fffff;
const DOUBLE_DIVISOR = 2 ** -53;

/**
 * PyTorch's CPU generator (`aten/src/ATen/CPUGeneratorImpl.cpp`): an MT19937 engine and the normal sample
 * that the scalar Box-Muller path keeps for its next call (`maybe_get_next_double_normal_sample` in
 * `aten/src/ATen/core/DistributionsHelper.h`; torch keeps a float one too, which no CPU path of `rand`, `randn`,
 * `uniform_` or `normal_` uses). `manualSeed` reseeds the engine and forgets the cached normal, as
 * `torch.manual_seed` does.
 */
export class TorchGenerator {
  private readonly engine: MT19937;
  private currentSeed: number;
  /** The second normal of the last scalar double Box-Muller pair, or null. */
  private nextDoubleNormal: number | null = null;

  constructor(seed = TORCH_DEFAULT_SEED) {
    this.currentSeed = checkSeed(seed);
    this.engine = new MT19937(this.currentSeed);
  }

  /** As `torch.Generator.manual_seed(seed)`: a fresh engine from the low 32 bits of `seed`, no cached normal. */
  manualSeed(seed: number): this {
    this.currentSeed = checkSeed(seed);
    this.engine.seed(this.currentSeed);
    this.nextDoubleNormal = null;
    return this;
  }

  /** As `torch.Generator.initial_seed()`. */
  initialSeed(): number {
    return this.currentSeed;
  }

  /** One 32-bit draw (`CPUGeneratorImpl::random`), in [0, 2³²). */
  random(): number {
    return this.engine.nextUint32();
  }

  /** Two 32-bit draws joined, the first one high (`CPUGeneratorImpl::random64`, `make64BitsFrom32Bits`). */
  random64(): bigint {
    const high = this.engine.nextUint32();
    const low = this.engine.nextUint32();
    return (BigInt(high) << 32n) | BigInt(low);
  }

  /**
   * `uniform_real_distribution<float>` (`aten/src/ATen/core/TransformationHelper.h` `uniform_real`): the low
   * 24 bits of one draw over 2²⁴, then x·(to − from) + from in float32, rounded once: torch's build fuses the
   * multiply-add (checked against torch 1.13: rounding the product first differs in half of the draws).
   */
  uniformFloat32(from: number, to: number): number {
    const x = (this.engine.nextUint32() & FLOAT32_DIGITS_MASK) * FLOAT32_DIVISOR;
    const lo = Math.fround(from);
    const width = Math.fround(Math.fround(to) - lo);
    return fmaFloat32(x, width, lo);
  }

  /** `uniform_real_distribution<double>`: the low 53 bits of `random64()` over 2⁵³, then x·(to − from) + from, fused as in float32. */
  uniformFloat64(from: number, to: number): number {
    const high = this.engine.nextUint32() & DOUBLE_HIGH_MASK;
    const low = this.engine.nextUint32();
    const x = (high * TWO_POW_32 + low) * DOUBLE_DIVISOR;
    return fmaFloat64(x, to - from, from);
  }

  /**
   * `normal_distribution<double>`: Box-Muller on two double uniforms u1, u2, r = √(−2 ln(1 − u2)), θ = 2π·u1;
   * returns r·cos θ and keeps r·sin θ for the next call. The path torch takes for tensors of fewer than 16
   * elements (and non-contiguous ones), whatever their dtype.
   */
  normalFloat64(mean = 0, std = 1): number {
    if (this.nextDoubleNormal !== null) {
      const cached = this.nextDoubleNormal;
      this.nextDoubleNormal = null;
      return fmaFloat64(cached, std, mean);
    }
    const u1 = this.uniformFloat64(0, 1);
    const u2 = this.uniformFloat64(0, 1);
    const r = Math.sqrt(-2 * Math.log(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return fmaFloat64(r * Math.cos(theta), std, mean);
  }

  /** The engine and the cached normal, to return to later (as `get_state` / `set_state`). */
  getState(): TorchGeneratorState {
    return { seed: this.currentSeed, engine: this.engine.snapshot(), nextDoubleNormal: this.nextDoubleNormal };
  }

  setState(state: TorchGeneratorState): this {
    this.currentSeed = state.seed;
    this.engine.restore(state.engine);
    this.nextDoubleNormal = state.nextDoubleNormal;
    return this;
  }
}

/** What `getState` returns: opaque to callers, handed back to `setState`. */
export interface TorchGeneratorState {
  readonly seed: number;
  readonly engine: ReturnType<MT19937['snapshot']>;
  readonly nextDoubleNormal: number | null;
}

/** torch takes any integer modulo 2⁶⁴; here, those a number holds exactly. */
function checkSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new UserError(`a torch seed must be an integer of magnitude below 2⁵³, got ${String(seed)}`);
  return seed;
}
