import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { EOS_ID } from '../corpora/vocabulary.ts';
import { Adam } from '../numerics/adam.ts';
import { clipGradNorm } from '../numerics/clip-grad-norm.ts';
import { zeroGradients } from '../numerics/parameter.ts';
import { streamSegments } from '../models/rnn/batches.ts';
import { RecurrentNetwork, TrainingPass } from '../models/rnn/network.ts';
import type { Cell } from '../models/rnn/options.ts';
import { RecurrentScorer } from '../models/rnn/scorer.ts';
import { jsonLines, OPENBLAS, runTorchTwin } from './torch-twin.ts';
import type { BenchTable } from './types.ts';

/**
 * Issue 6, speed: one training step (forward, loss, backward, clipping, Adam) and scoring for the recurrent
 * LMs at D = H = 128 on the Brown vocabulary, batch 32, bptt 35, and the same in PyTorch 1.13 (OpenBLAS,
 * 2 threads; bench/torch_rnn.py) in the same run when torch is installed. Run alone:
 *   npx tsx bench/run.ts rnn            (RNN_BENCH_CELLS=lstm to pick cells, RNN_BENCH_TORCH=0 to skip torch)
 */
const SIZE = 128;
const BATCH = 32;
const BPTT = 35;
const SENTENCE = 25;

interface TorchRow {
  cell: string;
  trainTokensPerSecond: number;
  scoreTokensPerSecond: number;
}

function torchFigures(cells: readonly Cell[], vocab: number): Map<string, TorchRow> | string {
  const twin = runTorchTwin('torch_rnn.py', ['--cells', cells.join(','), '--vocab', String(vocab), '--steps', '10'], { skipVariable: 'RNN_BENCH_TORCH' });
  if ('reason' in twin) return twin.reason;
  return new Map(
    jsonLines<TorchRow & { torch?: string }>(twin.stdout)
      .filter((r) => r.cell)
      .map((r) => [r.cell, r]),
  );
}

export default async function rnnBench(): Promise<BenchTable[]> {
  const loadBefore = loadavg()[0]!;
  const corpus = encodeCorpus(loadCorpus('brown'));
  const V = corpus.vocab.size;
  const cells = (process.env.RNN_BENCH_CELLS?.split(',') ?? ['lstm', 'gru', 'rnn']) as Cell[];
  const segments = streamSegments(corpus.train, BATCH, BPTT).slice(0, 20);
  const sentence = Int32Array.from([...corpus.valid.tokens.subarray(0, SENTENCE - 1), EOS_ID]);
  const scores = new Float64Array(SENTENCE);
  const ours = new Map<Cell, { train: number; score: number; params: number }>();

  for (const cell of cells) {
    const net = new RecurrentNetwork({
      cell,
      nonlinearity: 'tanh',
      vocabSize: V,
      embeddingSize: SIZE,
      hiddenSize: SIZE,
      numLayers: 1,
      dropout: 0,
      tie: false,
      oneHot: false,
      seed: 1,
    });
    const pass = new TrainingPass(net, BATCH, BPTT);
    const adam = new Adam(net.parameters, { lr: 1e-3 });
    let k = 0;
    const train = new Bench({ iterations: 10, time: 0, warmupIterations: 2 });
    train.add('train step', () => {
      zeroGradients(net.parameters);
      pass.step(segments[k++ % segments.length]!);
      clipGradNorm(net.parameters, 0.25);
      adam.step();
    });
    await train.run();
    const scorer = new RecurrentScorer(net);
    const score = new Bench({ iterations: 200, time: 0, warmupIterations: 20 });
    score.add('score sentence', () => {
      scorer.reset();
      scorer.scoreSequence(sentence, scores);
    });
    await score.run();
    const t = train.tasks[0]!.result;
    const s = score.tasks[0]!.result;
    if (t.state !== 'completed' || s.state !== 'completed') throw new Error(`rnn bench ${cell}: ${t.state}/${s.state}`);
    ours.set(cell, {
      train: (BATCH * BPTT) / (t.latency.mean / 1000),
      score: SENTENCE / (s.latency.mean / 1000),
      params: net.parameters.reduce((n, p) => n + p.data.length, 0),
    });
  }

  const torch = torchFigures(cells, V);
  const rows = cells.map((cell) => {
    const o = ours.get(cell)!;
    const ref = typeof torch === 'string' ? undefined : torch.get(cell);
    return {
      cell,
      parameters: o.params,
      'train tok/s': Math.round(o.train),
      'torch train tok/s': ref ? Math.round(ref.trainTokensPerSecond) : '–',
      'train ratio': ref ? Number((o.train / ref.trainTokensPerSecond).toFixed(2)) : '–',
      'score tok/s': Math.round(o.score),
      'torch score tok/s': ref ? Math.round(ref.scoreTokensPerSecond) : '–',
      'score ratio': ref ? Number((o.score / ref.scoreTokensPerSecond).toFixed(2)) : '–',
    };
  });
  return [
    {
      title: `Recurrent LMs, D = H = ${SIZE}, |V| = ${V}, batch ${BATCH}, bptt ${BPTT}: training step and scoring (sentence of ${SENTENCE})`,
      rows,
      notes: [
        'Goal (issue 6): training tokens/s ≥ PyTorch 1.13 (OpenBLAS, 2 threads, Adam) on the same machine; ratio = ours / torch, same run.',
        `PyTorch: ${typeof torch === 'string' ? torch : `bench/torch_rnn.py with LD_LIBRARY_PATH=${OPENBLAS}, torch.set_num_threads(2)`}.`,
        'Scoring = one sentence, batch 1, recurrence then one output-layer product and log-softmax (scoreSequence).',
        `Load average ${loadBefore.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (2 cores; other work on the machine slows both sides, PyTorch's OpenMP threads more).`,
      ],
    },
  ];
}
