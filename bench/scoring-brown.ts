import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/**
 * Issue 14 §2, batched scoring: tokens/s of `evaluate` over the whole Brown test split, sentence or stream
 * protocol, for an untrained model (the cost of scoring does not depend on the weights), in this checkout or in
 * another one (`--root`, e.g. a worktree of main before the change). One measurement:
 *
 *   npx tsx bench/scoring-brown.ts --model lstm --mode sentence [--root DIR]
 *
 * Interleaved rounds against another checkout (each measurement in a fresh process; ours, theirs, ours, …),
 * printing every figure and the median ratio ours / theirs with its spread:
 *
 *   npx tsx bench/scoring-brown.ts --against /work/old --rounds 3 --models lstm,window --modes sentence,stream
 *
 * Models: `lstm` (D = H = 128) and `window` (n = 5, m = 60, h = 100), the sizes of issue 14 §3. `--min-count N`
 * scores Brown with a vocabulary of the training words seen N times or more (the rest `<unk>`): with N = 1000
 * (|V| = 76) the output layer is cheap, as a class-factored one is, and the figure shows the recurrence's share.
 */
const MODELS: Record<string, { plugin: string; hp: Record<string, unknown> }> = {
  lstm: { plugin: 'lstm', hp: { embeddingSize: 128, hiddenSize: 128 } },
  gru: { plugin: 'gru', hp: { embeddingSize: 128, hiddenSize: 128 } },
  window: { plugin: 'window', hp: { n: 5, m: 60, h: 100 } },
};

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    model: { type: 'string', default: 'lstm' },
    mode: { type: 'string', default: 'sentence' },
    against: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    models: { type: 'string', default: 'lstm,window' },
    modes: { type: 'string', default: 'sentence,stream' },
    'min-count': { type: 'string' },
  },
});
const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface Measurement {
  root: string;
  model: string;
  mode: string;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  perplexity: number;
  rssMB: number;
  vocabulary: number;
}

async function measure(root: string, name: string, mode: 'sentence' | 'stream'): Promise<Measurement> {
  const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
  const { encodeCorpus } = await load<typeof import('../corpora/corpus.ts')>('corpora/corpus.ts');
  const { brownCorpus } = await load<typeof import('../corpora/brown.ts')>('corpora/brown.ts');
  const { evaluate } = await load<typeof import('../harness/metrics.ts')>('harness/metrics.ts');
  const { findPlugin } = await load<typeof import('../models/registry.ts')>('models/registry.ts');
  const spec = MODELS[name];
  if (!spec) throw new Error(`--model is one of ${Object.keys(MODELS).join(', ')}`);
  const brown = brownCorpus();
  const corpus = encodeCorpus(values['min-count'] ? { ...brown, minCount: Number(values['min-count']) } : brown);
  const model = findPlugin(spec.plugin).create(spec.hp, corpus.vocab);
  // Warm up (JIT, kernel threads, buffers) on the first 200 valid sentences.
  const head = corpus.valid.starts[200]!;
  const warm = { tokens: corpus.valid.tokens.subarray(0, head), starts: corpus.valid.starts.subarray(0, 201), unk: 0, characters: 1 };
  evaluate(model.scorer(), warm, { mode });
  const started = performance.now();
  const m = evaluate(model.scorer(), corpus.test, { mode });
  const seconds = (performance.now() - started) / 1000;
  return {
    root,
    model: name,
    mode,
    tokens: m.tokens,
    seconds,
    tokensPerSecond: m.tokens / seconds,
    perplexity: m.perplexity,
    rssMB: process.memoryUsage().rss / 2 ** 20,
    vocabulary: corpus.vocab.size,
  };
}

function child(root: string, model: string, mode: string): Measurement {
  const minCount = values['min-count'] ? ['--min-count', values['min-count']] : [];
  const out = execFileSync('npx', ['tsx', join(here, 'bench/scoring-brown.ts'), '--root', root, '--model', model, '--mode', mode, ...minCount], {
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

if (values.against) {
  const theirs = resolve(values.against);
  const rounds = Number(values.rounds);
  for (const model of values.models.split(',')) {
    for (const mode of values.modes.split(',')) {
      const ratios: number[] = [];
      const ours: number[] = [];
      const old: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const a = child(here, model, mode);
        const b = child(theirs, model, mode);
        ours.push(a.tokensPerSecond);
        old.push(b.tokensPerSecond);
        ratios.push(a.tokensPerSecond / b.tokensPerSecond);
        console.log(
          `${model} ${mode} round ${r + 1}: ours ${a.tokensPerSecond.toFixed(0)} tokens/s (ppl ${a.perplexity.toFixed(3)}, rss ${a.rssMB.toFixed(0)} MB), ` +
            `theirs ${b.tokensPerSecond.toFixed(0)} tokens/s (ppl ${b.perplexity.toFixed(3)}, rss ${b.rssMB.toFixed(0)} MB), ratio ${(a.tokensPerSecond / b.tokensPerSecond).toFixed(2)}`,
        );
      }
      console.log(
        `${model} ${mode}: median ours ${median(ours).toFixed(0)}, theirs ${median(old).toFixed(0)} tokens/s; ratio median ${median(ratios).toFixed(2)} ` +
          `(min ${Math.min(...ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}) over ${rounds} rounds`,
      );
    }
  }
} else {
  const mode = values.mode;
  if (mode !== 'sentence' && mode !== 'stream') throw new Error('--mode is sentence or stream');
  console.log(JSON.stringify(await measure(resolve(values.root ?? here), values.model, mode)));
}
