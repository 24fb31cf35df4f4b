import { sizeOf, type DType, type Tensor } from '../tensor.ts';
import { defaultGenerator } from './default-generator.ts';
import { normalFill, uniformFill } from './distributions.ts';
import type { TorchGenerator } from './generator.ts';

export interface RandomTensorOptions {
  /** Default: the global generator (`manualSeed`). */
  readonly generator?: TorchGenerator;
  /** Default 'float32', torch's default dtype; 'float64' draws as torch does for `dtype=torch.float64`. */
  readonly dtype?: DType;
}

/**
 * The arrays are ordinary typed arrays (not kernel memory), so nothing needs releasing; every function of the
 * numerics accepts them.
 */
function empty(shape: readonly number[], dtype: DType): Tensor {
  const n = sizeOf(shape);
  return { shape: [...shape], data: dtype === 'float64' ? new Float64Array(n) : new Float32Array(n) };
}

/** As `torch.rand(*shape)`: U[0, 1), one draw per element in row-major order. */
export function rand(shape: readonly number[], options: RandomTensorOptions = {}): Tensor {
  const t = empty(shape, options.dtype ?? 'float32');
  uniformFill(t.data, 0, 1, options.generator ?? defaultGenerator());
  return t;
}

/** As `torch.randn(*shape)`: N(0, 1), in torch's order (see `normalFill` for sizes below and from 16). */
export function randn(shape: readonly number[], options: RandomTensorOptions = {}): Tensor {
  const t = empty(shape, options.dtype ?? 'float32');
  normalFill(t.data, 0, 1, options.generator ?? defaultGenerator());
  return t;
}
