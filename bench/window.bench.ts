import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { Adam } from '../numerics/adam.ts';
import { kernelThreads, setKernelThreads } from '../numerics/kernels/threads.ts';
import { softmaxCrossEntropy } from '../numerics/cross-entropy.ts';
import { Random } from '../numerics/random.ts';
import { gatherBatch, windowExamples } from '../models/window/examples.ts';
import { backward, forward, WindowNetwork, WindowWorkspace } from '../models/window/network.ts';
import { WindowScorer } from '../models/window/scorer.ts';
import { clearEmbeddingGradients, windowStep } from '../models/window/training.ts';
import { jsonLines, runTorchTwin } from './torch-twin.ts';
import type { BenchCell, BenchTable } from './types.ts';

/**
 * The window model at Bengio et al.'s Brown size (n = 5, m = 60, h = 50, direct connections, batch 128,
 * the Brown vocabulary): one training step (forward + backward + Adam) and scoring, in tokens/s.
 * Run alone with `npx tsx bench/window.bench.ts`, or with the others: `npm run bench:micro -- window`.
 * Each size runs on one kernel thread and on two (the default), alternating, so both see the same load.
 * The PyTorch twin (bench/torch_window.py: OpenBLAS, 2 threads) runs right after, in the same process tree,
 * when Debian's python3-torch is installed (WINDOW_BENCH_TORCH=0 skips it); the ratio columns compare it
 * with our two-thread rows.
 */

interface TorchRow {
  model: string;
  trainTokensPerSecond: number;
  scoreTokensPerSecond: number;
}

function torchFigures(): Map<string, TorchRow> | string {
  const twin = runTorchTwin('torch_window.py', ['--json', '--seconds', '5'], { skipVariable: 'WINDOW_BENCH_TORCH' });
  if ('reason' in twin) return twin.reason;
  return new Map(jsonLines<TorchRow>(twin.stdout).map((r) => [r.model, r]));
}

const SIZES = [
  { n: 5, m: 60, h: 50, direct: true },
  { n: 5, m: 60, h: 50, direct: false },
];
const BATCH = 128;
const SCORED_TOKENS = 4096;

function mean(bench: Bench, name: string): number {
  const task = bench.getTask(name);
  const r = task?.result;
  if (r?.state !== 'completed') throw new Error(`bench ${name}: ${r?.state ?? 'missing'}`);
  return r.latency.mean / 1000;
}

export default async function windowBench(): Promise<BenchTable[]> {
  const corpus = encodeCorpus(loadCorpus('brown'));
  const V = corpus.vocab.size;
  const examples = windowExamples(corpus.train, 5, 'stream');
  const order = Int32Array.from({ length: examples.positions.length }, (_, i) => i);
  new Random(1).shuffle(order);
  const valid = corpus.valid.tokens.subarray(0, SCORED_TOKENS);
  const rows: Record<string, BenchCell>[] = [];
  const loadBefore = loadavg()[0]!;
  const defaultThreads = kernelThreads();
  for (const size of SIZES)
    for (const threads of [1, 2]) {
      setKernelThreads(threads);
      const net = new WindowNetwork({ vocabSize: V, ...size, dtype: 'float32' });
      net.initialize(new Random(1));
      const ws = new WindowWorkspace(net, BATCH);
      const adam = new Adam(net.parameters(), { lr: 1e-3 });
      let from = 0;
      const nextBatch = (): void => {
        gatherBatch(examples, order, from, BATCH, 5, ws.contexts, ws.targets);
        from = (from + BATCH) % (order.length - BATCH);
      };
      const scorer = new WindowScorer(net);
      const out = new Float64Array(valid.length);
      // At least 2 s per task, but not tinybench's default minimum of 64 runs (64 scorings of 4096 tokens take minutes).
      const bench = new Bench({ time: 2000, warmupTime: 300, iterations: 5 });
      bench
        .add('train step', () => {
          nextBatch();
          windowStep(ws, BATCH, 0, null);
          adam.step();
          clearEmbeddingGradients(ws);
        })
        .add('forward', () => forward(ws, BATCH))
        .add('forward + loss + backward', () => {
          forward(ws, BATCH);
          softmaxCrossEntropy(ws.y, ws.targets, ws.y, BATCH, V, 1 / BATCH);
          backward(ws, BATCH);
        })
        .add('adam step', () => adam.step())
        .add('score', () => {
          scorer.reset();
          scorer.scoreSequence(valid, out);
        });
      await bench.run();
      const step = mean(bench, 'train step');
      rows.push({
        model: `n=${size.n} m=${size.m} h=${size.h}${size.direct ? ' direct' : ''}`,
        threads,
        parameters: net.parameters().reduce((s, p) => s + p.data.length, 0),
        'train step ms': Number((step * 1000).toFixed(2)),
        'train tokens/s': Math.round(BATCH / step),
        'fwd ms': Number((mean(bench, 'forward') * 1000).toFixed(2)),
        'fwd+bwd ms': Number((mean(bench, 'forward + loss + backward') * 1000).toFixed(2)),
        'adam ms': Number((mean(bench, 'adam step') * 1000).toFixed(2)),
        'score tokens/s': Math.round(valid.length / mean(bench, 'score')),
      });
      ws.dispose();
      adam.dispose();
      net.dispose();
    }
  setKernelThreads(defaultThreads);
  const torch = torchFigures();
  for (const row of rows) {
    const ref = typeof torch === 'string' || row.threads !== 2 ? undefined : torch.get(String(row.model));
    row['torch train tokens/s'] = ref ? Math.round(ref.trainTokensPerSecond) : '–';
    row['train ratio'] = ref ? Number((Number(row['train tokens/s']) / ref.trainTokensPerSecond).toFixed(2)) : '–';
    row['torch score tokens/s'] = ref ? Math.round(ref.scoreTokensPerSecond) : '–';
    row['score ratio'] = ref ? Number((Number(row['score tokens/s']) / ref.scoreTokensPerSecond).toFixed(2)) : '–';
  }
  return [
    {
      title: `window model, Brown vocabulary |V| = ${V}, batch ${BATCH}, float32, Adam`,
      rows,
      notes: [
        'Goal (issue 5): training tokens/s at least PyTorch 1.13 + OpenBLAS, 2 threads, same model and batch (bench/torch_window.py).',
        `Scoring: scoreSequence over the first ${SCORED_TOKENS} valid tokens as one stream; PyTorch: batches of 64 random windows, forward + log-softmax.`,
        typeof torch === 'string'
          ? `PyTorch: ${torch}.`
          : 'PyTorch: bench/torch_window.py, OpenBLAS (openblas-openmp), torch.set_num_threads(2); ratio = ours (2 threads) / torch, same run.',
        `Load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores; other work on the machine slows both sides).`,
      ],
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const table of await windowBench()) {
    console.log(`\n${table.title}`);
    console.table(table.rows);
    for (const note of table.notes ?? []) console.log(`  ${note}`);
  }
}
