import { allocate, release, type DType, type FloatArray } from './tensor.ts';

/**
 * Arrays from `allocate` that one object owns and gives back together (float32 arrays live in the
 * kernels' memory, which is reused only when released).
 */
export class OwnedArrays {
  private arrays: FloatArray[] = [];

  constructor(readonly dtype: DType) {}

  /** A zeroed array of n elements, owned until `releaseAll`. */
  take(n: number): FloatArray {
    const a = allocate(this.dtype, n);
    this.arrays.push(a);
    return a;
  }

  releaseAll(): void {
    for (const a of this.arrays) release(a);
    this.arrays = [];
  }
}

/** Scorers have no dispose in the plug-in interface: their arrays go back when they are garbage-collected. */
const scorerArrays = new FinalizationRegistry<OwnedArrays[]>((owned) => {
  for (const o of owned) o.releaseAll();
});

/** Release `owned` once `owner` is unreachable (the arrays must not be reachable from elsewhere). */
export function releaseWhenCollected(owner: object, owned: OwnedArrays[]): void {
  scorerArrays.register(owner, owned);
}
