import { allocate, release, type DType, type FloatArray } from '../tensor.ts';

/**
 * A scratch buffer whose needed length varies from call to call (an output layer's activations for however many
 * rows a batch, or a cluster of it, has): it grows to the largest length asked for, never shrinks, and lives
 * where `allocate` puts it (kernel memory for float32), so that the products run on it in place.
 */
export class ScratchArray {
  private array: FloatArray | null = null;

  constructor(readonly dtype: DType) {}

  /** A view of the first n elements; their contents are whatever the last user left (not cleared). */
  take(n: number): FloatArray {
    if (this.array === null || this.array.length < n) {
      if (this.array !== null) release(this.array);
      // Half again as much, so that a slowly growing batch re-allocates only a few times.
      this.array = allocate(this.dtype, Math.max(n, this.array === null ? 0 : Math.ceil(this.array.length * 1.5)));
    }
    return this.array.subarray(0, n);
  }

  /** Elements currently held (for tests of the memory it keeps). */
  get capacity(): number {
    return this.array?.length ?? 0;
  }

  dispose(): void {
    if (this.array !== null) release(this.array);
    this.array = null;
  }
}
