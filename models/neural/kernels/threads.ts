import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../../corpora/user-error.ts';
import { allocateBytes, kernelMemory } from './arena.ts';
import { BLOCKING, JOB, MAX_BLOCKS, TICKET_BITS } from './gemm-wat.ts';

/**
 * Splitting large float32 products across cores. Workers (`gemm-worker.mjs`) run the same kernels on the
 * same shared kernel memory; a product is posted as a job record in that memory (see `JOB`), the
 * workers are woken through a futex word (Atomics.notify, microseconds, no message round trip), and
 * every thread, the posting one included, claims blocks of C until none are left. A worker that is
 * still starting up or descheduled simply claims nothing: the posting thread does the rest.
 *
 * Workers are unref'd (they never keep the process alive) and only started for a product big enough
 * to pay for them. Thread count: `PERPLEXITY_KERNEL_THREADS`, else the machine's parallelism (max 4);
 * `setKernelThreads(n)` changes it at run time (1 = no workers).
 */

export interface ParallelKernels {
  module: WebAssembly.Module;
  /** Claim and compute blocks of the job until none are left; returns how many this thread did. */
  gemmWork(job: number, work: number): number;
  workBytes: number;
}

/** Products under this many flops (2·m·n·k) stay on one thread: waking a worker costs ~10–50 µs. */
export const PARALLEL_MIN_FLOPS = 2 ** 23;
let minFlops = PARALLEL_MIN_FLOPS;

/** Change the size from which products are split (for tuning and benchmarks; default PARALLEL_MIN_FLOPS). */
export function setParallelMinFlops(flops: number): void {
  minFlops = flops;
}

/**
 * Guided self-scheduling (Polychronopoulos & Kuck 1987): each block is 1/(GUIDE·threads) of what is
 * left, never under MIN_BLOCK, so blocks shrink towards the end and a thread that runs slow (the
 * machine is shared) holds up the others by a small block at most, while early blocks stay large
 * enough that re-packing the other operand per block stays cheap.
 */
const GUIDE = 2;
const MIN_BLOCK = 32;
const WORKER_SPIN_MS = 0.2;
const MAIN_SPIN = 2000;

interface Pool {
  workers: Worker[];
  job: number;
  control: Int32Array;
  sequence: number;
}

function defaultThreads(): number {
  const fromEnv = process.env.PERPLEXITY_KERNEL_THREADS;
  if (fromEnv === undefined || fromEnv === '') return Math.min(availableParallelism(), 4);
  const n = Number(fromEnv);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`PERPLEXITY_KERNEL_THREADS must be a whole number ≥ 1, got '${fromEnv}'`);
  return n;
}

let threads = defaultThreads();
let pool: Pool | undefined;
let failure: Error | undefined;

export function kernelThreads(): number {
  return threads;
}

/**
 * Use `n` threads (the calling one included) for large products from now on. Going down to 1 keeps the
 * workers asleep (so benchmarks can alternate); any other change restarts them.
 */
export function setKernelThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setKernelThreads: need a whole number ≥ 1, got ${n}`);
  if (n > 1 && pool !== undefined && pool.workers.length !== n - 1) stopPool();
  threads = n;
}

/** Blocks of split products computed by worker threads since the pool started (0 without a pool). */
export function workerBlocks(): number {
  return pool === undefined ? 0 : Atomics.load(pool.control, JOB.workerBlocks);
}

/**
 * Terminate the workers. Their job record and scratch memory are deliberately not released: termination
 * is asynchronous, and a worker still finishing a block must not write into memory handed out again.
 */
function stopPool(): void {
  if (pool === undefined) return;
  for (const w of pool.workers) void w.terminate();
  pool = undefined;
}

function startPool(kernels: ParallelKernels): Pool {
  const job = allocateBytes(JOB.words * 4);
  const control = new Int32Array(kernelMemory().buffer, job, JOB.words);
  control.fill(0);
  const workers: Worker[] = [];
  for (let t = 1; t < threads; t++) {
    const worker = new Worker(new URL('./gemm-worker.mjs', import.meta.url), {
      // The worker is plain JavaScript: none of the parent's loader or eval flags apply to it.
      execArgv: [],
      workerData: {
        module: kernels.module,
        memory: kernelMemory(),
        job,
        work: allocateBytes(kernels.workBytes),
        words: JOB.words,
        wake: JOB.wake,
        done: JOB.done,
        failed: JOB.failed,
        workerBlocks: JOB.workerBlocks,
        spinMs: WORKER_SPIN_MS,
      },
    });
    // A failing worker reports through JOB.failed (or `failure` for one that never started); without a
    // listener its 'error' event would crash the process.
    worker.on('error', (error) => {
      failure ??= error;
    });
    worker.unref();
    workers.push(worker);
  }
  return { workers, job, control, sequence: 0 };
}

/**
 * Cut C along its longer side (split 1: columns, 0: rows) into guided blocks of whole micro-tiles,
 * writing their starts into the job record; returns the number of blocks.
 */
function planBlocks(w: Int32Array, split: 0 | 1, length: number): number {
  const tile = split === 1 ? BLOCKING.nr : BLOCKING.mr;
  let start = 0;
  let blocks = 0;
  while (start < length) {
    const left = length - start;
    const wanted = Math.max(MIN_BLOCK, Math.ceil(left / (GUIDE * threads)));
    const size = blocks === MAX_BLOCKS - 1 ? left : Math.min(left, Math.ceil(wanted / tile) * tile);
    w[JOB.starts + blocks++] = start;
    start += size;
  }
  w[JOB.starts + blocks] = length;
  return blocks;
}

/**
 * Run C[m×n] (+)= op(A)·op(B) (pointers and element strides as in `gemm`) on all threads. Returns false,
 * having done nothing, when the product is too small to split or only one thread is configured.
 */
export function gemmParallel(
  kernels: ParallelKernels, work: number,
  m: number, n: number, k: number, a: number, rsa: number, csa: number, b: number, rsb: number, csb: number, c: number, beta: number,
): boolean {
  if (threads < 2 || 2 * m * n * k < minFlops) return false;
  if (failure !== undefined) throw new Error(`matmul: a kernel worker thread failed: ${failure.message}`);
  const split = n >= m ? 1 : 0;
  if ((split === 1 ? n : m) < 2 * MIN_BLOCK) return false;
  pool ??= startPool(kernels);
  const { control: w, job } = pool;
  const sequence = (pool.sequence = (pool.sequence + 1) & ((1 << (32 - TICKET_BITS)) - 1));
  // Close the ticket before touching the record, so a late thread holding the old ticket cannot claim
  // a block described by half-written fields (its compare-and-swap fails).
  Atomics.store(w, JOB.next, (sequence << TICKET_BITS) | ((1 << TICKET_BITS) - 1));
  const chunks = planBlocks(w, split, split === 1 ? n : m);
  w[JOB.chunks] = chunks;
  w[JOB.split] = split;
  w[JOB.m] = m;
  w[JOB.n] = n;
  w[JOB.k] = k;
  w[JOB.a] = a;
  w[JOB.rsa] = rsa;
  w[JOB.csa] = csa;
  w[JOB.b] = b;
  w[JOB.rsb] = rsb;
  w[JOB.csb] = csb;
  w[JOB.c] = c;
  w[JOB.ldc] = n;
  w[JOB.beta] = beta;
  Atomics.store(w, JOB.done, 0);
  Atomics.store(w, JOB.next, sequence << TICKET_BITS);
  Atomics.add(w, JOB.wake, 1);
  Atomics.notify(w, JOB.wake);
  kernels.gemmWork(job, work);
  for (let spin = 0; ; spin++) {
    const done = Atomics.load(w, JOB.done);
    if (done >= chunks) break;
    if (spin >= MAIN_SPIN) Atomics.wait(w, JOB.done, done);
  }
  if (Atomics.load(w, JOB.failed) !== 0) {
    stopPool();
    throw new Error('matmul: a kernel worker thread failed (its error follows as an uncaught worker error)');
  }
  return true;
}
