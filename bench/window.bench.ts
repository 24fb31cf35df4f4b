import { Bench } from 'tinybench';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { Adam } from '../models/neural/adam.ts';
import { softmaxCrossEntropy } from '../models/neural/cross-entropy.ts';
import { Random } from '../models/neural/random.ts';
import { gatherBatch, windowExamples } from '../models/window/examples.ts';
import { backward, forward, WindowNetwork, WindowWorkspace } from '../models/window/network.ts';
import { WindowScorer } from '../models/window/scorer.ts';
import { trainStep } from '../models/window/training.ts';

/**
 * The window model at Bengio et al.'s Brown size (n = 5, m = 60, h = 50, direct connections, batch 128,
 * the Brown vocabulary): one training step (forward + backward + Adam) and scoring, in tokens/s.
 * Run alone with `npx tsx bench/window.bench.ts`, or through the bench runner (default export).
 * The PyTorch twin is bench/torch_window.py; run both in the same session and compare.
 */

// The runner's table contract (bench/types.ts on the ngram branch), structurally.
type BenchCell = string | number;
interface BenchTable {
  readonly title: string;
  readonly rows: readonly Readonly<Record<string, BenchCell>>[];
  readonly notes?: readonly string[];
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
  if (!r || r.state !== 'completed') throw new Error(`bench ${name}: ${r?.state ?? 'missing'}`);
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
  for (const size of SIZES) {
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
    const bench = new Bench({ time: 3000, warmupTime: 500 });
    bench
      .add('train step', () => {
        nextBatch();
        trainStep(ws, BATCH, adam, { dropout: 0, clip: 0 }, null);
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
      parameters: net.parameters().reduce((s, p) => s + p.data.length, 0),
      'train step ms': Number((step * 1000).toFixed(2)),
      'train tokens/s': Math.round(BATCH / step),
      'fwd ms': Number((mean(bench, 'forward') * 1000).toFixed(2)),
      'fwd+bwd ms': Number((mean(bench, 'forward + loss + backward') * 1000).toFixed(2)),
      'adam ms': Number((mean(bench, 'adam step') * 1000).toFixed(2)),
      'score tokens/s': Math.round(valid.length / mean(bench, 'score')),
    });
    ws.dispose();
  }
  return [
    {
      title: `window model, Brown vocabulary |V| = ${V}, batch ${BATCH}, float32, Adam`,
      rows,
      notes: [
        'Goal (issue 5): training tokens/s at least PyTorch 1.13 + OpenBLAS, 2 threads, same model and batch (bench/torch_window.py).',
        `Scoring: scoreSequence over the first ${SCORED_TOKENS} valid tokens as one stream.`,
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
