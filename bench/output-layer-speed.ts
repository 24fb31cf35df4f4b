import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { evaluate } from '../harness/metrics.ts';
import { gruPlugin, lstmPlugin, rnnPlugin } from '../models/rnn/plugin.ts';
import type { ModelPlugin } from '../models/types.ts';
import { windowPlugin } from '../models/window/plugin.ts';
import { kernelThreads } from '../numerics/kernels/threads.ts';
import { exportBrownIds } from './brown-ids.ts';
import { jsonLines, runTorchTwin } from './torch-twin.ts';

/**
 * Issue 14 §3: training and scoring tokens/s of the neural models at the Brown vocabulary, ours against the
 * PyTorch twins, in interleaved rounds (ours full, torch full, ours class, torch adaptive, for each model, then
 * the next round), printed as a markdown table of medians with the per-round ratios' median and spread.
 *
 *   npx tsx bench/output-layer-speed.ts [--models lstm,gru,rnn,window] [--rounds 3] [--steps 30] [--window-steps 300]
 *       [--class-hp '{"output":"class"}'] [--adaptive-hp '{"output":"adaptive"}'] [--torch full,adaptive] [--out FILE.md]
 *
 * - Training: the plug-in's own `train` (the shared loop `fit`: batches, step, clipping, Adam, everything a run
 *   pays) on Brown in stream mode for `--warmup` + `--steps` steps; tokens/s over the steps after the warm-up,
 *   read from the loop's progress events. The loop's one validation at the end is not what is measured and is
 *   given a constant (the scoring below measures the same scorer properly).
 * - Scoring: `evaluate` (harness/metrics.ts, the one protocol) of the whole Brown test split in stream mode.
 * - PyTorch: bench/torch_rnn.py and bench/torch_window.py with `--data` (the same Brown ids, written by
 *   bench/brown-ids.ts): the same model, batch and optimiser, full softmax or nn.AdaptiveLogSoftmaxWithLoss
 *   (cut-offs `--cutoffs`, `--div-value`), `torch.set_num_threads(2)`, the test split as one stream (eval, no_grad).
 * - "ours class": the same models with `--class-hp` merged into their hyper-parameters (the class-factored output
 *   layer of issue 14 §1); the column is left empty without it. "ours adaptive": likewise with `--adaptive-hp`, and
 *   the twin's `--cutoffs` and `--div-value`, so that it is the same layer as "torch adaptive".
 * While a twin runs, this process waits in spawnSync; its CPU time over that wait is recorded to show that no
 * kernel worker thread of ours ran beside PyTorch.
 */
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'lstm,gru,rnn,window' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '30' },
    'window-steps': { type: 'string', default: '300' },
    warmup: { type: 'string', default: '3' },
    'class-hp': { type: 'string' },
    'adaptive-hp': { type: 'string' },
    torch: { type: 'string', default: 'full,adaptive' },
    cutoffs: { type: 'string', default: '2000,8000' },
    'div-value': { type: 'string', default: '4' },
    'score-tokens': { type: 'string', default: '0' },
    'torch-score-tokens': { type: 'string' },
    out: { type: 'string' },
  },
});

type ModelName = 'lstm' | 'gru' | 'rnn' | 'window';
interface ModelSpec {
  readonly plugin: ModelPlugin;
  readonly hp: Record<string, unknown>;
  /** Predicted tokens of one training step. */
  readonly stepTokens: number;
  /** Timed steps (the window model's are ~9× smaller, so it takes `--window-steps`). */
  readonly steps: number;
  /** The twin and its arguments for this model (without the output layer's). */
  readonly twin: { readonly script: string; readonly args: readonly string[] };
}

/** D = H = 128, batch 32, bptt 35 (the recurrent defaults); the window model n = 5, m = 60, h = 100, batch 128, no direct connections. */
const RECURRENT = { embeddingSize: 128, hiddenSize: 128, batchSize: 32, bptt: 35, dropout: 0 };
const MODELS: Record<ModelName, ModelSpec> = {
  lstm: { plugin: lstmPlugin, hp: RECURRENT, stepTokens: 32 * 35, steps: Number(values.steps), twin: { script: 'torch_rnn.py', args: ['--cells', 'lstm'] } },
  gru: { plugin: gruPlugin, hp: RECURRENT, stepTokens: 32 * 35, steps: Number(values.steps), twin: { script: 'torch_rnn.py', args: ['--cells', 'gru'] } },
  rnn: {
    plugin: rnnPlugin,
    hp: { ...RECURRENT, nonlinearity: 'tanh' },
    stepTokens: 32 * 35,
    steps: Number(values.steps),
    twin: { script: 'torch_rnn.py', args: ['--cells', 'rnn'] },
  },
  window: {
    plugin: windowPlugin,
    hp: { n: 5, m: 60, h: 100, direct: false, batchSize: 128, dropout: 0 },
    stepTokens: 128,
    steps: Number(values['window-steps']),
    twin: { script: 'torch_window.py', args: ['--speed', '--hidden', '100', '--no-direct', '--batch', '128'] },
  },
};

interface Figures {
  readonly train: number;
  readonly score: number;
  readonly testTokens: number;
  readonly testPerplexity: number;
}

const names = values.models.split(',') as ModelName[];
for (const n of names) if (!(n in MODELS)) throw new Error(`--models: unknown ${n} (lstm, gru, rnn, window)`);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const scoreTokens = Number(values['score-tokens']);
const torchScoreTokens = Number(values['torch-score-tokens'] ?? values['score-tokens']);
const classHp = values['class-hp'] ? (JSON.parse(values['class-hp']) as Record<string, unknown>) : undefined;
const adaptiveHp = values['adaptive-hp']
  ? { ...(JSON.parse(values['adaptive-hp']) as Record<string, unknown>), cutoffs: values.cutoffs, divValue: Number(values['div-value']) }
  : undefined;
const torchOutputs = values.torch.split(',').filter((o) => o !== '');

const corpus = encodeCorpus(loadCorpus('brown'));
const test = scoreTokens > 0 ? firstTokens(corpus.test, scoreTokens) : corpus.test;
const dataDir = mkdtempSync(join(tmpdir(), 'brown-ids-'));
exportBrownIds(corpus, dataDir, 5, 'stream');

/** The first sentences of a split holding about `tokens` predicted tokens (a quick run's scoring). */
function firstTokens(split: typeof corpus.test, tokens: number): typeof corpus.test {
  let s = 0;
  while (s < split.starts.length - 1 && split.starts[s]! + s < tokens) s++;
  const starts = split.starts.subarray(0, s + 1);
  return { ...split, tokens: split.tokens.subarray(0, starts[s]), starts };
}

async function ours(spec: ModelSpec, extra: Record<string, unknown>): Promise<Figures> {
  const model = spec.plugin.create({ ...spec.hp, ...extra }, corpus.vocab);
  const marks: { at: number; tokens: number }[] = [];
  await model.train(
    { vocab: corpus.vocab, train: corpus.train, valid: corpus.valid, mode: 'stream' },
    {
      seed: 1,
      budget: { tokens: (warmup + spec.steps) * spec.stepTokens },
      onProgress: (e) => {
        if (e.phase.startsWith('epoch')) marks.push({ at: performance.now(), tokens: e.done });
      },
      validate: () => 1,
    },
  );
  const from = marks.find((m) => m.tokens >= warmup * spec.stepTokens) ?? marks[0]!;
  const to = marks.at(-1)!;
  if (to.at <= from.at) throw new Error(`${spec.plugin.name}: too few progress events to time training (raise --steps)`);
  const train = (to.tokens - from.tokens) / ((to.at - from.at) / 1000);
  const started = performance.now();
  const metrics = evaluate(model.scorer(), test, { mode: 'stream' });
  const score = metrics.tokens / ((performance.now() - started) / 1000);
  // Its parameters back to kernel memory (the scorer's buffers go when it is collected).
  (model as { dispose?: () => void }).dispose?.();
  return { train, score, testTokens: metrics.tokens, testPerplexity: metrics.perplexity };
}

/** Our process's CPU milliseconds while the twins ran (all threads): about 0 when every kernel worker is parked. */
let cpuDuringTorch = 0;
let torchBlas = '';

function torch(spec: ModelSpec, output: string): Figures | string {
  const args = [
    ...spec.twin.args,
    '--data',
    dataDir,
    '--steps',
    String(spec.steps),
    '--warmup',
    String(warmup),
    '--output',
    output,
    '--cutoffs',
    values.cutoffs,
    '--div-value',
    values['div-value'],
    '--score-tokens',
    String(torchScoreTokens),
  ];
  const before = process.cpuUsage();
  const run = runTorchTwin(spec.twin.script, args);
  const used = process.cpuUsage(before);
  cpuDuringTorch = Math.max(cpuDuringTorch, (used.user + used.system) / 1000);
  if ('reason' in run) return run.reason;
  const lines = jsonLines<{ blas?: string; trainTokensPerSecond?: number; scoreTokensPerSecond?: number; testTokens?: number; testPerplexity?: number }>(
    run.stdout,
  );
  torchBlas = lines.find((l) => l.blas)?.blas ?? torchBlas;
  const row = lines.find((l) => l.trainTokensPerSecond !== undefined);
  if (!row) return 'no result line';
  return { train: row.trainTokensPerSecond!, score: row.scoreTokensPerSecond!, testTokens: row.testTokens!, testPerplexity: row.testPerplexity! };
}

type Column = 'ours full' | 'ours class' | 'ours adaptive' | 'torch full' | 'torch adaptive';
const results = new Map<string, Figures[]>();
const failures: string[] = [];
const record = (model: ModelName, column: Column, f: Figures | string): void => {
  if (typeof f === 'string') {
    failures.push(`${model} ${column}: ${f}`);
    return;
  }
  const key = `${model}/${column}`;
  results.set(key, [...(results.get(key) ?? []), f]);
  process.stderr.write(
    `${model} ${column}: train ${Math.round(f.train)} tokens/s, score ${Math.round(f.score)} tokens/s (${f.testTokens} tokens, ppl ${f.testPerplexity.toFixed(1)})\n`,
  );
};

const loadBefore = loadavg();
const startedAt = new Date().toISOString();
for (let r = 0; r < rounds; r++) {
  for (const name of names) {
    const spec = MODELS[name];
    record(name, 'ours full', await ours(spec, {}));
    if (torchOutputs.includes('full')) record(name, 'torch full', torch(spec, 'full'));
    if (classHp) record(name, 'ours class', await ours(spec, classHp));
    if (adaptiveHp) record(name, 'ours adaptive', await ours(spec, adaptiveHp));
    if (torchOutputs.includes('adaptive')) record(name, 'torch adaptive', torch(spec, 'adaptive'));
  }
}
rmSync(dataDir, { recursive: true, force: true });

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const cell = (model: ModelName, column: Column, key: 'train' | 'score'): string => {
  const xs = results.get(`${model}/${column}`)?.map((f) => f[key]);
  return xs?.length ? String(Math.round(median(xs))) : '–';
};
/** Median and range of the per-round ratios a / b (round i of a against round i of b). */
const ratio = (model: ModelName, a: Column, b: Column, key: 'train' | 'score'): string => {
  const xs = results.get(`${model}/${a}`);
  const ys = results.get(`${model}/${b}`);
  if (!xs?.length || !ys?.length) return '–';
  const rs = xs.slice(0, ys.length).map((x, i) => x[key] / ys[i]![key]);
  return `${median(rs).toFixed(2)} (${Math.min(...rs).toFixed(2)}–${Math.max(...rs).toFixed(2)})`;
};

const header = [
  'model',
  'ours full',
  'ours class',
  'ours adaptive',
  'torch full',
  'torch adaptive',
  'ours full / torch full',
  'ours class / ours full',
  'ours class / torch adaptive',
  'ours adaptive / torch adaptive',
];
const table = (key: 'train' | 'score'): string[] => [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...names
    .map((m) =>
      [
        m,
        cell(m, 'ours full', key),
        cell(m, 'ours class', key),
        cell(m, 'ours adaptive', key),
        cell(m, 'torch full', key),
        cell(m, 'torch adaptive', key),
        ratio(m, 'ours full', 'torch full', key),
        ratio(m, 'ours class', 'ours full', key),
        ratio(m, 'ours class', 'torch adaptive', key),
        ratio(m, 'ours adaptive', 'torch adaptive', key),
      ].join(' | '),
    )
    .map((row) => `| ${row} |`),
];
const perplexities = names
  .map((m) => {
    const o = results.get(`${m}/ours full`)?.[0];
    const t = results.get(`${m}/torch full`)?.[0];
    return `${m}: ours ${o ? `${o.testTokens} tokens` : '–'}, torch ${t ? `${t.testTokens} tokens` : '–'}`;
  })
  .join('; ');
const lines = [
  `Training tokens/s (median of ${rounds} interleaved rounds; ratios: median (min–max) of the per-round ratios)`,
  '',
  ...table('train'),
  '',
  `Scoring tokens/s of the Brown test split${scoreTokens > 0 ? ` (first ${test.tokens.length + test.starts.length - 1} predicted tokens)` : ''}, stream protocol`,
  '',
  ...table('score'),
  '',
  `- Run ${startedAt}, ${rounds} rounds, ${warmup} warm-up + ${values.steps} (window ${values['window-steps']}) timed training steps per measurement; ours on ${kernelThreads()} kernel threads.`,
  `- Models: LSTM, GRU, tanh RNN at D = H = 128, batch 32, bptt 35, Adam, clip 0.25; window n = 5, m = 60, h = 100, batch 128, Adam; |V| = ${corpus.vocab.size}.`,
  `- PyTorch: torch.set_num_threads(2), BLAS ${torchBlas || 'unknown'}; adaptive = nn.AdaptiveLogSoftmaxWithLoss, cut-offs [${values.cutoffs}], div_value ${values['div-value']}.`,
  `- ours class: ${classHp ? JSON.stringify(classHp) : 'not run (pass --class-hp)'}; ours adaptive: ${adaptiveHp ? JSON.stringify(adaptiveHp) : 'not run (pass --adaptive-hp)'}.`,
  `- Scored tokens: ${perplexities}${torchScoreTokens !== scoreTokens ? ` (torch scored the first ${torchScoreTokens || 'all'} only)` : ''}.`,
  `- Our process's CPU while a twin ran: at most ${cpuDuringTorch.toFixed(0)} ms per twin run (kernel workers parked).`,
  `- Load average before ${loadBefore.map((l) => l.toFixed(1)).join(' ')}, after ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (2 cores, shared).`,
  ...failures.map((f) => `- Not measured: ${f}`),
];
const text = `${lines.join('\n')}\n`;
console.log(text);
if (values.out) writeFileSync(values.out, text);
