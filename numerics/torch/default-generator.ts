import { TorchGenerator } from './generator.ts';

/**
 * The global generator (torch's `default_generator`): what layers and `rand`/`randn` draw from when they are
 * given no generator of their own. Until `manualSeed` it is seeded as torch's is at start-up.
 */
const DEFAULT_GENERATOR = new TorchGenerator();

export function defaultGenerator(): TorchGenerator {
  return DEFAULT_GENERATOR;
}

/** As `torch.manual_seed(seed)`: reseeds the global generator (and forgets its cached normal); returns it. */
export function manualSeed(seed: number): TorchGenerator {
  return DEFAULT_GENERATOR.manualSeed(seed);
}

/** As `torch.initial_seed()`: the seed the global generator was last seeded with. */
export function initialSeed(): number {
  return DEFAULT_GENERATOR.initialSeed();
}
