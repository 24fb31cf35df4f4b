/**
 * Kernel memory: the one place float32 arrays live so that the WebAssembly kernels can work on them in
 * place, with pointers instead of copies.
 *
 * Memory model
 * - One `WebAssembly.Memory` per process (per worker_threads isolate that imports this module), created
 *   `shared` (its buffer is a SharedArrayBuffer). Shared memory can grow without detaching the views
 *   already handed out, which non-shared memory cannot; and the kernel worker threads run on it directly.
 *   Its maximum is the wasm32 limit (4 GiB, reserved as address space only; pages are committed on growth).
 * - `allocateF32(n)` returns a zeroed Float32Array view of a 64-byte-aligned block of that memory. Views,
 *   and any `subarray` of them, are valid kernel operands: the kernel pointer is just `byteOffset`.
 * - Blocks are managed by a first-fit free list with coalescing. `releaseF32(array)` gives a block back
 *   (the exact array `allocateF32` returned); `allocationMark()` / `releaseSince(mark)` free everything
 *   allocated after a point, for tests that build many models. Released memory is reused, never returned
 *   to the OS. Using a view after its block was released reads whatever is allocated there next.
 * - Caveat of shared buffers: `structuredClone` and `postMessage` share them instead of copying. To snapshot
 *   an array (best parameters for early stopping, …) copy it with `array.slice()` or `new Float32Array(array)`.
 */

const PAGE = 65536;
const MAX_PAGES = 65536;
const INITIAL_PAGES = 256;
const ALIGN = 64;

interface Block {
  offset: number;
  bytes: number;
}

interface LiveBlock {
  bytes: number;
  /** Allocation sequence number, for `releaseSince`. */
  serial: number;
}

/**
 * What the kernels use of their `WebAssembly.Memory`, spelt out so that the package's type declarations need
 * no WebAssembly types (Node's have none; a user's project may not load lib.dom).
 */
export interface KernelMemory {
  readonly buffer: ArrayBufferLike;
  grow(delta: number): number;
}

let memory: KernelMemory | undefined;
/** Every SharedArrayBuffer object the memory has shown (one per growth): how arena views are recognised. */
const buffers = new WeakSet<ArrayBufferLike>();
/** Free blocks, sorted by offset, never adjacent (coalesced). */
const free: Block[] = [];
const live = new Map<number, LiveBlock>();
let serial = 0;

const alignUp = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** The kernel memory, created on first use. */
export function kernelMemory(): KernelMemory {
  if (memory === undefined) {
    memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared: true });
    buffers.add(memory.buffer);
    // Offset 0 stays unused so that no block is ever at the null pointer.
    free.push({ offset: ALIGN, bytes: INITIAL_PAGES * PAGE - ALIGN });
  }
  return memory;
}

/** Whether `a` is a view of kernel memory (allocated here, or a subarray of such an array). */
export function inKernelMemory(a: ArrayBufferView): boolean {
  return buffers.has(a.buffer);
}

function grow(bytes: number): void {
  const mem = kernelMemory();
  const pages = mem.buffer.byteLength / PAGE;
  const want = Math.max(Math.ceil(bytes / PAGE), Math.ceil(pages / 4), INITIAL_PAGES);
  const add = Math.min(want, MAX_PAGES - pages);
  if (add * PAGE < bytes) throw new RangeError(`kernel memory: cannot allocate ${bytes} bytes (4 GiB wasm32 limit reached)`);
  mem.grow(add);
  buffers.add(mem.buffer);
  insertFree(pages * PAGE, add * PAGE);
}

function insertFree(offset: number, bytes: number): void {
  let lo = 0;
  let hi = free.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (free[mid]!.offset < offset) lo = mid + 1;
    else hi = mid;
  }
  const prev = free[lo - 1];
  const next = free[lo];
  if (prev !== undefined && prev.offset + prev.bytes === offset) {
    prev.bytes += bytes;
    if (next !== undefined && prev.offset + prev.bytes === next.offset) {
      prev.bytes += next.bytes;
      free.splice(lo, 1);
    }
  } else if (next !== undefined && offset + bytes === next.offset) {
    next.offset = offset;
    next.bytes += bytes;
  } else {
    free.splice(lo, 0, { offset, bytes });
  }
}

/** Reserve `bytes` (rounded up to 64) and return the block's byte offset. Contents are not cleared. */
export function allocateBytes(bytes: number): number {
  kernelMemory();
  const size = alignUp(Math.max(bytes, 1));
  let i = free.findIndex((b) => b.bytes >= size);
  if (i < 0) {
    grow(size);
    i = free.findIndex((b) => b.bytes >= size);
  }
  const block = free[i]!;
  const offset = block.offset;
  if (block.bytes === size) free.splice(i, 1);
  else {
    block.offset += size;
    block.bytes -= size;
  }
  live.set(offset, { bytes: size, serial: ++serial });
  return offset;
}

export function releaseBytes(offset: number): void {
  const block = live.get(offset);
  if (block === undefined) throw new Error(`kernel memory: no live block at ${offset} (released twice, or not from allocate)`);
  live.delete(offset);
  insertFree(offset, block.bytes);
}

/** A zeroed float32 array of `n` elements in kernel memory. */
export function allocateF32(n: number): Float32Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`allocate: bad length ${n}`);
  const offset = allocateBytes(n * 4);
  const a = new Float32Array(kernelMemory().buffer, offset, n);
  a.fill(0);
  return a;
}

/** Give back an array returned by `allocateF32` (not a subarray of one). */
export function releaseF32(a: Float32Array): void {
  const block = live.get(a.byteOffset);
  if (!inKernelMemory(a) || block === undefined || alignUp(Math.max(a.byteLength, 1)) !== block.bytes) {
    throw new Error('release: not an array returned by allocate (or already released)');
  }
  releaseBytes(a.byteOffset);
}

/** A point in the allocation sequence, for `releaseSince`. */
export function allocationMark(): number {
  return serial;
}

/** Release every block allocated after `mark` that is still live. */
export function releaseSince(mark: number): void {
  for (const [offset, block] of [...live]) if (block.serial > mark) releaseBytes(offset);
}

export interface KernelMemoryStats {
  /** Bytes of the wasm memory (reserved by growth so far). */
  reserved: number;
  /** Bytes in live blocks. */
  used: number;
  blocks: number;
}

export function kernelMemoryStats(): KernelMemoryStats {
  let used = 0;
  for (const b of live.values()) used += b.bytes;
  return { reserved: memory?.buffer.byteLength ?? 0, used, blocks: live.size };
}
