import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Bench, type Task } from 'tinybench';
import { gemmOfVariant, kernelFusedMultiplyAdd, type VariantProduct } from '../numerics/kernels/gemm.ts';
import { kernelVariant, relaxedSimdSupported } from '../numerics/kernels/variant.ts';
import { setKernelThreads } from '../numerics/kernels/threads.ts';
import { matmul, matmulTransA, matmulTransB, type MatrixProduct } from '../numerics/matmul.ts';
import { matmulReference, matmulTransAReference, matmulTransBReference } from '../numerics/matmul-reference.ts';
import { allocate, allocationMark, releaseSince } from '../numerics/tensor.ts';
import { runTorchTwin } from './torch-twin.ts';
import type { BenchCell, BenchFunction, BenchTable } from './types.ts';

/**
 * GFLOP/s of the float32 matrix products on the shapes the neural language models run: the plain
 * TypeScript reference, the WebAssembly SIMD kernels on one and on two threads, and PyTorch 1.13 with
 * OpenBLAS on one and two threads (`kernels_torch.py`, same run, when /usr/bin/python3 has torch).
 * Brown vocabulary V = 14,116; LM batches of 128 (window model) and 32·35 = 1120 (RNN, bptt 35).
 * A second table sets the relaxed-SIMD kernels (fused multiply-add) against the plain SIMD ones, in interleaved
 * rounds. `KERNEL_BENCH=variants npx tsx bench/run.ts kernels` runs that table alone.
 */

type Form = 'AB' | 'ABt' | 'AtB';

interface Shape {
  name: string;
  form: Form;
  m: number;
  k: number;
  n: number;
}

const V = 14116;
const SHAPES: Shape[] = [
  { name: 'issue: 32×128 · 128×16384', form: 'AB', m: 32, k: 128, n: 16384 },
  { name: 'LM out fwd X·Wᵀ, B=128', form: 'ABt', m: 128, k: 128, n: V },
  { name: 'LM out fwd X·Wᵀ, B=1120', form: 'ABt', m: 1120, k: 128, n: V },
  { name: 'LM out fwd X·W, B=1120', form: 'AB', m: 1120, k: 128, n: V },
  { name: 'LM out bwd dX=dY·W, B=128', form: 'AB', m: 128, k: V, n: 128 },
  { name: 'LM out bwd dX=dY·W, B=1120', form: 'AB', m: 1120, k: V, n: 128 },
  { name: 'LM out bwd dW=dYᵀ·X, B=128', form: 'AtB', m: V, k: 128, n: 128 },
  { name: 'LM out bwd dW=dYᵀ·X, B=1120', form: 'AtB', m: V, k: 1120, n: 128 },
  // models/window/network.ts: Z = [tanh(h=50) | x(240)] (128×290), y = Z·O, dO = Zᵀ·dy, dZ = dy·Oᵀ.
  { name: 'window out fwd Z·O, B=128', form: 'AB', m: 128, k: 290, n: V },
  { name: 'window out bwd dO=Zᵀ·dy', form: 'AtB', m: 290, k: 128, n: V },
  { name: 'window out bwd dZ=dy·Oᵀ', form: 'ABt', m: 128, k: V, n: 290 },
  { name: 'window hidden x·Hᵀ 128×240→50', form: 'ABt', m: 128, k: 240, n: 50 },
  { name: 'RNN x·Wᵀ 32×128→512', form: 'ABt', m: 32, k: 128, n: 512 },
  { name: 'RNN dX=dG·W 32×512→128', form: 'AB', m: 32, k: 512, n: 128 },
  { name: 'RNN dW=dGᵀ·X 512×32→128', form: 'AtB', m: 512, k: 32, n: 128 },
  { name: 'scoring one token h·Wᵀ', form: 'ABt', m: 1, k: 128, n: V },
];

const FAST: Record<Form, MatrixProduct> = { AB: matmul, ABt: matmulTransB, AtB: matmulTransA };
const REFERENCE: Record<Form, MatrixProduct> = { AB: matmulReference, ABt: matmulTransBReference, AtB: matmulTransAReference };
/** The reference runs at well under 1 GFLOP/s: time it on at most this many flops (fewer rows of C). */
const REFERENCE_FLOPS = 3e7;

const flops = (s: Shape): number => 2 * s.m * s.k * s.n;

function randomArray(n: number): Float32Array {
  const x = allocate('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

function randomPlain(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.random() * 2 - 1;
  return x;
}

/** A call of `product` on random operands: in kernel memory (`allocate`), or ordinary arrays (`plain`). */
function task(shape: Shape, product: MatrixProduct, { rows = shape.m, plain = false, threads = 1 } = {}): () => void {
  const { k, n } = shape;
  const make = plain ? randomPlain : randomArray;
  const a = make(rows * k);
  const b = make(k * n);
  const c = make(rows * n);
  return () => {
    setKernelThreads(threads);
    product(a, b, c, rows, k, n);
  };
}

/**
 * Mean CPU seconds per call of a one-thread task: on a shared machine, what a product costs when it
 * runs, however the scheduler slices the wall clock.
 */
function cpuSeconds(fn: () => void, budget = 0.3): number {
  fn();
  const start = process.cpuUsage();
  let reps = 0;
  let used = 0;
  while (reps < 3 || used < budget) {
    fn();
    reps++;
    const u = process.cpuUsage(start);
    used = (u.user + u.system) / 1e6;
  }
  return used / reps;
}

/** Median seconds per call of each task. */
async function measure(tasks: Map<string, () => void>, time: number): Promise<Map<string, number>> {
  const bench = new Bench({ time, warmupTime: 100, iterations: 3, warmupIterations: 2, throws: true });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  const seconds = new Map<string, number>();
  for (const t of bench.tasks as Task[]) {
    const result = t.result;
    if (result.state !== 'completed') throw new Error(`bench ${t.name}: ${result.state}`);
    seconds.set(t.name, result.latency.p50 / 1000);
  }
  return seconds;
}

interface TorchRow {
  name: string;
  threads: number;
  gflops: number;
  cpu_gflops?: number;
}

function torchGflops(): Map<string, number> | string {
  const twin = runTorchTwin('kernels_torch.py', ['1', '2'], { input: JSON.stringify(SHAPES) });
  if ('reason' in twin) return `PyTorch not measured: ${twin.reason}`;
  const rows = JSON.parse(twin.stdout) as TorchRow[];
  const gflops = new Map(rows.map((r) => [`${r.name}|${r.threads}`, r.gflops]));
  for (const r of rows) if (r.cpu_gflops !== undefined) gflops.set(`${r.name}|cpu`, r.cpu_gflops);
  return gflops;
}

const round = (x: number | undefined): number | string => (x === undefined ? '' : Math.round(x * 10) / 10);
const ratio = (x: number | undefined, y: number | undefined): number | string => (x === undefined || y === undefined ? '' : Math.round((x / y) * 100) / 100);

async function run(): Promise<BenchTable> {
  const mark = allocationMark();
  const loadBefore = loadavg()[0]!;
  try {
    const reference = new Map<string, () => void>();
    const referenceRows = new Map<string, number>();
    const fast = new Map<string, () => void>();
    for (const s of SHAPES) {
      const rows = Math.max(1, Math.min(s.m, Math.floor(REFERENCE_FLOPS / (2 * s.k * s.n))));
      referenceRows.set(s.name, rows);
      reference.set(s.name, task(s, REFERENCE[s.form], { rows }));
      // One and two threads alternate shape by shape, so both see the same machine load.
      fast.set(`${s.name}|1`, task(s, FAST[s.form], { threads: 1 }));
      fast.set(`${s.name}|2`, task(s, FAST[s.form], { threads: 2 }));
      fast.set(`${s.name}|plain`, task(s, FAST[s.form], { plain: true }));
    }
    const refSeconds = await measure(reference, 200);
    fast.get(`${SHAPES[2]!.name}|2`)!(); // start the worker and let it come up before timing
    await sleep(300);
    const seconds = await measure(fast, 400);
    setKernelThreads(1);
    const cpu = new Map(SHAPES.map((s) => [s.name, flops(s) / cpuSeconds(fast.get(`${s.name}|1`)!) / 1e9]));
    const torch = torchGflops();
    const gflops = (s: Shape, key: string): number => flops(s) / seconds.get(`${s.name}|${key}`)! / 1e9;
    const rows: Record<string, BenchCell>[] = SHAPES.map((s) => {
      const ref = (2 * referenceRows.get(s.name)! * s.k * s.n) / refSeconds.get(s.name)! / 1e9;
      const [w1, w2, plain] = [gflops(s, '1'), gflops(s, '2'), gflops(s, 'plain')];
      const t1 = typeof torch === 'string' ? undefined : torch.get(`${s.name}|1`);
      const t2 = typeof torch === 'string' ? undefined : torch.get(`${s.name}|2`);
      const tc = typeof torch === 'string' ? undefined : torch.get(`${s.name}|cpu`);
      const wc = cpu.get(s.name)!;
      return {
        shape: s.name,
        'm×k×n': `${s.m}×${s.k}×${s.n}`,
        'ref TS': round(ref),
        'wasm 1T': round(w1),
        'wasm 2T': round(w2),
        'torch 1T': round(t1),
        'torch 2T': round(t2),
        'wasm/ref': Math.round(w1 / ref),
        'wasm/torch 1T': ratio(w1, t1),
        'wasm/torch 2T': ratio(w2, t2),
        '2T/1T': ratio(w2, w1),
        'plain arrays 1T': round(plain),
        'wasm 1T cpu': round(wc),
        'torch 1T cpu': round(tc),
        'wasm/torch cpu': ratio(wc, tc),
      };
    });
    const notes = [
      'GFLOP/s, median of tinybench samples (wall clock); the reference is timed on fewer rows of C (same k, n).',
      '"plain arrays": operands not from allocate(), copied in and out of kernel memory on each call.',
      '"cpu" columns: flops per CPU second of the process (one thread), robust to other load on the machine.',
      `Load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores): two-thread figures need an idle machine.`,
    ];
    if (typeof torch === 'string') notes.push(torch);
    return { title: 'float32 matrix products (GFLOP/s): TypeScript reference, WebAssembly SIMD 1/2 threads, PyTorch+OpenBLAS 1/2 threads', rows, notes };
  } finally {
    releaseSince(mark);
  }
}

/** Shapes for the relaxed-against-plain table: the products of one LSTM step and of scoring (issue 14 §2). */
const VARIANT_SHAPES: Shape[] = [
  { name: 'LM out fwd X·Wᵀ, B=1120', form: 'ABt', m: 1120, k: 128, n: V },
  { name: 'LM out fwd X·W, B=1120', form: 'AB', m: 1120, k: 128, n: V },
  { name: 'LM out bwd dW=dYᵀ·X, B=1120', form: 'AtB', m: V, k: 1120, n: 128 },
  { name: 'RNN x·Wᵀ all steps 1120×128→512', form: 'ABt', m: 1120, k: 128, n: 512 },
  { name: 'RNN x·Wᵀ 32×128→512', form: 'ABt', m: 32, k: 128, n: 512 },
  { name: 'scoring one token h·Wᵀ (dot_rows)', form: 'ABt', m: 1, k: 128, n: V },
  { name: 'scoring one token h·W (axpy_rows)', form: 'AB', m: 1, k: 128, n: V },
];
const ROUNDS = 5;

/** Element strides (rsa, csa, rsb, csb) of op(A) and op(B) for each form on row-major operands. */
function strides({ form, m, k, n }: Shape): [number, number, number, number] {
  if (form === 'AB') return [k, 1, n, 1];
  if (form === 'ABt') return [k, 1, 1, k];
  return [1, m, n, 1];
}

/** Median seconds per call of `fn`, calling it for at least `budget` seconds and 3 times. */
function medianSeconds(fn: () => void, budget: number): number {
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 3 || performance.now() - start < budget * 1000) {
    const t = performance.now();
    fn();
    times.push((performance.now() - t) / 1000);
  }
  return median(times);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * GFLOP/s of the relaxed and the plain kernels on one thread, the two instantiated side by side in this process
 * (`gemmOfVariant`) on the same operands: in each of ROUNDS rounds both are timed, alternately first, and the
 * round's ratio is plain time / relaxed time; the table gives the median ratio and its spread over the rounds.
 */
async function variantTable(): Promise<BenchTable> {
  if (!relaxedSimdSupported()) return { title: 'relaxed SIMD against plain SIMD', rows: [], notes: [`Node ${process.version} has no relaxed SIMD`] };
  const mark = allocationMark();
  const loadBefore = loadavg()[0]!;
  try {
    const rows: Record<string, BenchCell>[] = [];
    for (const s of VARIANT_SHAPES) {
      const a = randomArray(s.m * s.k);
      const b = randomArray(s.k * s.n);
      const c = randomArray(s.m * s.n);
      const [rsa, csa, rsb, csb] = strides(s);
      const call = (gemm: VariantProduct) => () => gemm(s.m, s.n, s.k, a, rsa, csa, b, rsb, csb, c, false);
      const plain = call(gemmOfVariant('simd'));
      const relaxed = call(gemmOfVariant('relaxed'));
      plain();
      relaxed();
      const budget = Math.min(0.5, Math.max(0.15, flops(s) / 1e10));
      const times = { plain: [] as number[], relaxed: [] as number[] };
      const ratios: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        await sleep(0);
        const first = r % 2 === 0 ? 'plain' : 'relaxed';
        const t = { plain: 0, relaxed: 0 };
        for (const which of first === 'plain' ? (['plain', 'relaxed'] as const) : (['relaxed', 'plain'] as const)) {
          t[which] = medianSeconds(which === 'plain' ? plain : relaxed, budget);
          times[which].push(t[which]);
        }
        ratios.push(t.plain / t.relaxed);
      }
      const gf = (seconds: number[]): number => flops(s) / median(seconds) / 1e9;
      rows.push({
        shape: s.name,
        'm×k×n': `${s.m}×${s.k}×${s.n}`,
        'plain GFLOP/s': round(gf(times.plain)),
        'relaxed GFLOP/s': round(gf(times.relaxed)),
        'relaxed/plain (median)': Math.round(median(ratios) * 100) / 100,
        'spread (min–max)': `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`,
      });
    }
    return {
      title: 'float32 matrix products on one thread: relaxed SIMD (f32x4.relaxed_madd) against plain SIMD (f32x4.mul + f32x4.add)',
      rows,
      notes: [
        `${ROUNDS} interleaved rounds per shape (each variant's median call time per round, the first variant alternating); ratio = plain time / relaxed time.`,
        `This process's default kernels: ${kernelVariant()}; relaxed_madd fused on this CPU: ${kernelFusedMultiplyAdd('relaxed')}.`,
        `Load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores).`,
      ],
    };
  } finally {
    releaseSince(mark);
  }
}

const bench: BenchFunction = async () => (process.env.KERNEL_BENCH === 'variants' ? [await variantTable()] : [await run(), await variantTable()]);
export default bench;
