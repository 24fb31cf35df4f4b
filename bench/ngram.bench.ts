import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { evaluate } from '../harness/metrics.ts';
import { markedTokens } from '../models/ngram/counting.ts';
import type { NgramModel } from '../models/ngram/model.ts';
import { ngramPlugin } from '../models/ngram/plugin.ts';
import type { Scorer } from '../models/types.ts';
import type { BenchTable } from './types.ts';

const ORDERS = [3, 5];
const KENLM_NOTES = [
  'Goal (issue 3): estimation within 2× of KenLM lmplz on the same machine; scoring ≥ 1 M tokens/s.',
  'KenLM is not installed here (Debian bookworm has no kenlm package); figures measured for the issue on this',
  'machine, Brown 5-gram: lmplz 3–4 s wall and ~90 MB peak with -S 256M; probing 29 B/n-gram, trie 13.5 B/n-gram;',
  'query 2.4–4.6 M tokens/s.',
];

/** Estimation in a child process, for a peak RSS that is the estimation's own (plus Node's baseline). */
function estimateInChild(file: string, order: number, vocabSize: number): { seconds: number; baselineMB: number; peakMB: number } {
  const child = fileURLToPath(new URL('./ngram-estimate-child.ts', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, file, String(order), String(vocabSize)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; baselineMB: number; peakMB: number };
}

/** Modified Kneser-Ney on the full Brown split: estimation time and memory, table size, scoring speed. */
export default async function ngramBench(): Promise<BenchTable[]> {
  const corpus = encodeCorpus(loadCorpus('brown'));
  const dir = mkdtempSync(join(tmpdir(), 'ngram-bench-'));
  const streamFile = join(dir, 'train.i32');
  const stream = markedTokens(corpus.train, 'sentence');
  writeFileSync(streamFile, stream);

  const estimation: Record<string, string | number>[] = [];
  const scoring: Record<string, string | number>[] = [];
  try {
    for (const order of ORDERS) {
      let model: NgramModel | undefined;
      const bench = new Bench({ iterations: 5, time: 0, warmupIterations: 1 });
      bench.add(`estimate order ${order}`, async () => {
        model = ngramPlugin.create({ order, smoothing: 'mkn' }, corpus.vocab) as NgramModel;
        await model.train({ vocab: corpus.vocab, train: corpus.train, valid: corpus.valid, mode: 'sentence' }, { seed: 1, validate: () => NaN });
      });
      await bench.run();
      const timed = bench.tasks[0]!.result;
      if (timed.state !== 'completed') throw new Error(`estimation bench ${timed.state}`);
      const child = estimateInChild(streamFile, order, corpus.vocab.size);
      const counts = model!.ngramCounts();
      const ngrams = counts.reduce((a, b) => a + b, 0);
      estimation.push({
        order,
        'n-grams': ngrams,
        'per order': counts.join(' / '),
        'estimate s (in-process mean)': Number((timed.latency.mean / 1000).toFixed(3)),
        'estimate s (fresh process)': Number(child.seconds.toFixed(3)),
        'peak RSS MB': Math.round(child.peakMB),
        'RSS before MB': Math.round(child.baselineMB),
        'bytes/n-gram': Number((model!.byteSize() / ngrams).toFixed(2)),
        'table MB': Number((model!.byteSize() / 2 ** 20).toFixed(1)),
      });

      const test = corpus.test;
      const tokens = test.tokens.length + test.starts.length - 1;
      const scorer = model!.scorer();
      // The same scorer seen without its scoreSequence fast path: one logProb and one feed per token.
      const viaLogProb: Scorer = {
        vocabSize: scorer.vocabSize,
        reset: () => scorer.reset(),
        logProb: (t) => scorer.logProb(t),
        feed: (t) => scorer.feed(t),
        distribution: (out) => scorer.distribution(out),
      };
      const perToken = new Float64Array(tokens);
      const scoringBench = new Bench({ iterations: 10, time: 0, warmupIterations: 2 });
      scoringBench.add('scoreSequence', () => void evaluate(scorer, test, { mode: 'sentence', perToken }));
      scoringBench.add('logProb + feed', () => void evaluate(viaLogProb, test, { mode: 'sentence', perToken }));
      await scoringBench.run();
      for (const task of scoringBench.tasks) {
        const r = task.result;
        if (r.state !== 'completed') throw new Error(`scoring bench ${r.state}`);
        scoring.push({ order, path: task.name, tokens, 'M tokens/s': Number((tokens / r.latency.mean / 1000).toFixed(2)) });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const words = corpus.train.tokens.length;
  return [
    {
      title: `ngram mkn estimation, Brown train (${words} words, ${corpus.train.starts.length - 1} sentences, |V| = ${corpus.vocab.size})`,
      rows: estimation,
      notes: [
        'Peak RSS: maxRSS of a fresh Node process that reads the marked training ids and estimates once (Node + tsx alone ≈ the "before" column).',
        'Bytes per n-gram: what the tables hold (int32 word, float32 log10 p, float32 log10 back-off, uint32 child offset; 8 B at the highest order).',
        ...KENLM_NOTES,
      ],
    },
    {
      title: 'ngram mkn scoring, Brown test split, sentence mode (harness/metrics evaluate)',
      rows: scoring,
    },
  ];
}
