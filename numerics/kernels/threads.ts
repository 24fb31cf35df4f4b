import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../errors/user-error.ts';
import { SOFTMAX_JOB } from './vector-wat.ts';
import { allocateBytes, kernelMemory } from './arena.ts';
import { BLOCKING, JOB, MAX_BLOCKS } from './gemm-wat.ts';
import { JOB_HEAD, TICKET_BITS } from './job-wat.ts';
import { gemmModule, vectorModule } from './modules.ts';

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
  /** Claim and compute blocks of the job until none are left; returns how many this thread did. */
  gemmWork(job: number, work: number): number;
  workBytes: number;
}

/** The vector kernels' share of a softmax pass (`vector-wat.ts`, `softmax_ce_work`). */
export interface SoftmaxKernels {
  softmax_ce_work(job: number, work: number): number;
}

/** Softmax passes over fewer elements (rows × cols) stay on one thread. */
export const SOFTMAX_PARALLEL_MIN = 2 ** 17;

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
  /** The softmax pass's record (SOFTMAX_JOB) and its words. */
  softmax: number;
  softmaxControl: Int32Array;
  /** Job sequence number, shared by both records (so each record's tickets never repeat soon). */
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

function startPool(workBytes: number): Pool {
  const job = allocateBytes(JOB.words * 4);
  const softmax = allocateBytes(SOFTMAX_JOB.words * 4);
  const control = new Int32Array(kernelMemory().buffer, job, JOB.words);
  const softmaxControl = new Int32Array(kernelMemory().buffer, softmax, SOFTMAX_JOB.words);
  control.fill(0);
  softmaxControl.fill(0);
  const workers: Worker[] = [];
  for (let t = 1; t < threads; t++) {
    const worker = new Worker(new URL('./gemm-worker.mjs', import.meta.url), {
      // The worker is plain JavaScript: none of the parent's loader or eval flags apply to it.
      execArgv: [],
      workerData: {
        gemmModule: gemmModule(),
        vectorModule: vectorModule(),
        memory: kernelMemory(),
        job,
        softmax,
        work: allocateBytes(workBytes),
        words: JOB.words,
        softmaxWords: SOFTMAX_JOB.words,
        wake: JOB.wake,
        done: JOB_HEAD.done,
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
  return { workers, job, control, softmax, softmaxControl, sequence: 0 };
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
  kernels: ParallelKernels,
  work: number,
  m: number,
  n: number,
  k: number,
  a: number,
  rsa: number,
  csa: number,
  b: number,
  rsb: number,
  csb: number,
  c: number,
  beta: number,
): boolean {
  if (threads < 2 || 2 * m * n * k < minFlops) return false;
  const split = n >= m ? 1 : 0;
  if ((split === 1 ? n : m) < 2 * MIN_BLOCK) return false;
  pool ??= startPool(kernels.workBytes);
  const p = pool;
  runJob(
    p,
    p.control,
    'matmul',
    (w) => {
      const chunks = planBlocks(w, split, split === 1 ? n : m);
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
      return chunks;
    },
    () => kernels.gemmWork(p.job, work),
  );
  return true;
}

/**
 * Post a job into a record (`w`, which starts with JOB_HEAD) and run it on every thread: `write` fills the
 * record's own fields and returns its chunk count, `work` is this thread's share (claiming until none are
 * left), then wait for the chunks the workers claimed.
 */
function runJob(p: Pool, w: Int32Array, what: string, write: (w: Int32Array) => number, work: () => void): void {
  if (failure !== undefined) throw new Error(`${what}: a kernel worker thread failed: ${failure.message}`);
  const sequence = (p.sequence + 1) & ((1 << (32 - TICKET_BITS)) - 1);
  p.sequence = sequence;
  // Close the ticket before touching the record, so a late thread holding the old ticket cannot claim
  // a chunk described by half-written fields (its compare-and-swap fails).
  Atomics.store(w, JOB_HEAD.next, (sequence << TICKET_BITS) | ((1 << TICKET_BITS) - 1));
  const chunks = write(w);
  w[JOB_HEAD.chunks] = chunks;
  Atomics.store(w, JOB_HEAD.done, 0);
  Atomics.store(w, JOB_HEAD.next, sequence << TICKET_BITS);
  Atomics.add(p.control, JOB.wake, 1);
  Atomics.notify(p.control, JOB.wake);
  work();
  for (let spin = 0; ; spin++) {
    const done = Atomics.load(w, JOB_HEAD.done);
    if (done >= chunks) break;
    if (spin >= MAIN_SPIN) Atomics.wait(w, JOB_HEAD.done, done);
  }
  if (Atomics.load(p.control, JOB.failed) !== 0) {
    stopPool();
    throw new Error(`${what}: a kernel worker thread failed (its error follows as an uncaught worker error)`);
  }
}

/** Bytes of per-thread scratch the matrix kernels need (asked of the module itself). */
function gemmWorkBytes(): number {
  const instance = new WebAssembly.Instance(gemmModule(), { env: { memory: kernelMemory() } });
  return (instance.exports as unknown as { work_bytes(): number }).work_bytes();
}

/**
 * Run a softmax cross-entropy pass (`softmax_ce_rows` of `vector-wat.ts`, arguments as there; pointers in
 * kernel memory) on all threads, in blocks of rows. Returns false, having done nothing, when the pass is too
 * small to split or only one thread is configured.
 */
export function softmaxParallel(
  kernels: SoftmaxKernels,
  z: number,
  dz: number,
  targets: number,
  out: number,
  rows: number,
  cols: number,
  scale: number,
  ignore: number,
  gradient: number,
): boolean {
  if (threads < 2 || rows < 2 || rows * cols < SOFTMAX_PARALLEL_MIN) return false;
  pool ??= startPool(gemmWorkBytes());
  const p = pool;
  // Equal blocks, a few per thread: rows cost the same, and a slow thread then holds the others up by one block.
  const blockRows = Math.ceil(rows / Math.min(rows, 4 * threads));
  runJob(
    p,
    p.softmaxControl,
    'softmax cross-entropy',
    (w) => {
      w[SOFTMAX_JOB.z] = z;
      w[SOFTMAX_JOB.dz] = dz;
      w[SOFTMAX_JOB.targets] = targets;
      w[SOFTMAX_JOB.out] = out;
      w[SOFTMAX_JOB.rows] = rows;
      w[SOFTMAX_JOB.cols] = cols;
      w[SOFTMAX_JOB.ignore] = ignore;
      w[SOFTMAX_JOB.blockRows] = blockRows;
      w[SOFTMAX_JOB.gradient] = gradient;
      new Float64Array(w.buffer, w.byteOffset + SOFTMAX_JOB.scale * 4, 1)[0] = scale;
      return Math.ceil(rows / blockRows);
    },
    () => kernels.softmax_ce_work(p.softmax, 0),
  );
  return true;
}
