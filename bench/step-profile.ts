import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { encodeCorpus } from '../corpora/corpus.ts';
import { EOS_ID } from '../corpora/vocabulary.ts';
import { loadCorpus } from '../corpora/load.ts';
import { streamSegments, type Segment } from '../models/rnn/batches.ts';
import { RecurrentNetwork, TrainingPass } from '../models/rnn/network.ts';
import type { Cell } from '../models/rnn/options.ts';
import { gatherBatch, windowExamples } from '../models/window/examples.ts';
import { WindowNetwork, WindowWorkspace } from '../models/window/network.ts';
import { windowStep } from '../models/window/training.ts';
import { tanhBackward, tanhForward } from '../numerics/activations.ts';
import { Adam } from '../numerics/adam.ts';
import { SparseAdam } from '../numerics/sparse-adam.ts';
import { addBias, biasGradient } from '../numerics/bias.ts';
import { clipGradNorm, gradientNorm } from '../numerics/clip-grad-norm.ts';
import { softmaxCrossEntropy } from '../numerics/cross-entropy.ts';
import { embeddingForward, embeddingParameterBackward } from '../numerics/embedding.ts';
import { kernelThreads } from '../numerics/kernels/threads.ts';
import { matmul, matmulTransA, matmulTransB } from '../numerics/matmul.ts';
import { ClassSoftmax } from '../numerics/output/class-softmax.ts';
import { FullSoftmax } from '../numerics/output/full-softmax.ts';
import { classesForTraining, type OutputOptions } from '../numerics/output/options.ts';
import { type Parameter, zeroGradients } from '../numerics/parameter.ts';
import { Random } from '../numerics/random.ts';
import { allocate, type FloatArray, release } from '../numerics/tensor.ts';

/**
 * Issue 14 §2: where the time of one training step goes, per phase, for the LSTM, GRU and tanh RNN (D = H = 128,
 * batch 32, bptt 35, Adam, clip 0.25) and the window model (n = 5, m = 60, h = 100, batch 128, Adam) at the Brown
 * vocabulary, on real Brown batches in stream mode.
 *
 *   npx tsx bench/step-profile.ts [--models lstm,gru,rnn,window] [--steps 20] [--warmup 5] [--output full|class]
 *       [--classes N] [--class-binning sqrt|unigram] [--optimizer adam|sparse-adam] [--out FILE.md]
 *
 * Each step is the model's training step (`TrainingPass.step` in models/rnn/network.ts, `windowStep` in
 * models/window/training.ts) plus what `fit` (numerics/training/fit.ts) does around it, written out here call by
 * call with the same numerics functions in the same order, each call timed with performance.now(). Before timing,
 * one step of this copy is checked against the model's own on the same batch (loss and every gradient): if the
 * model code changes (issue 14 changes the output layer), the check fails rather than profiling something else.
 * Phases: data (batching; the recurrent models cut an epoch's segments once, shown per step), embedding forward and
 * backward, recurrence (or the window's hidden layer) forward and backward, the output layer (logits product,
 * bias, softmax cross-entropy, the two gradient products, bias gradient), clipping or the gradient norm (which `fit`
 * computes every step for the divergence watch), the optimiser step, and zeroing the gradients. Median of each
 * phase over `--steps` steps after `--warmup`. With `--output class` the output layer is the class-factored one
 * (numerics/output/class-softmax.ts, classes from the training counts as the plug-ins make them), timed as one
 * phase (its `forwardBackward`). `--optimizer sparse-adam` (numerics/sparse-adam.ts) updates the touched rows of the
 * embedding and of the class output's word rows only; zeroing and the norm visit the touched rows with either.
 */
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'lstm,gru,rnn,window' },
    steps: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    output: { type: 'string', default: 'full' },
    classes: { type: 'string', default: '0' },
    'class-binning': { type: 'string', default: 'sqrt' },
    optimizer: { type: 'string', default: 'adam' },
    out: { type: 'string' },
  },
});
const STEPS = Number(values.steps);
const WARMUP = Number(values.warmup);
if (values.output !== 'full' && values.output !== 'class') throw new Error('--output is full or class');
if (values['class-binning'] !== 'sqrt' && values['class-binning'] !== 'unigram') throw new Error('--class-binning is sqrt or unigram');
const OUTPUT: OutputOptions = { output: values.output, classes: Number(values.classes), classBinning: values['class-binning'] };
if (values.optimizer !== 'adam' && values.optimizer !== 'sparse-adam') throw new Error('--optimizer is adam or sparse-adam');
/** fit's optimiser for the chosen `--optimizer` (makeOptimizer of numerics/training/fit.ts). */
const optimizerFor = (params: readonly Parameter[], lr: number): Adam =>
  values.optimizer === 'adam' ? new Adam(params, { lr }) : new SparseAdam(params, { lr });
const SIZE = 128;
const BATCH = 32;
const BPTT = 35;

/** Per-phase milliseconds of each timed step. */
class PhaseTimer {
  readonly steps: Map<string, number>[] = [];
  private current = new Map<string, number>();
  private at = 0;
  private phase: string | null = null;

  start(phase: string): void {
    const now = performance.now();
    if (this.phase !== null) this.current.set(this.phase, (this.current.get(this.phase) ?? 0) + now - this.at);
    this.phase = phase;
    this.at = now;
  }

  /** Close the step; `keep` false for warm-up steps. */
  end(keep: boolean): void {
    this.start('');
    this.current.delete('');
    this.phase = null;
    if (keep) this.steps.push(this.current);
    this.current = new Map();
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Largest |a − b| over two gradient snapshots, relative to the largest |a|. */
function gradientDifference(a: readonly FloatArray[], b: readonly FloatArray[]): number {
  let diff = 0;
  let scale = 1e-30;
  a.forEach((x, i) => {
    const y = b[i]!;
    for (let j = 0; j < x.length; j++) {
      diff = Math.max(diff, Math.abs(x[j]! - y[j]!));
      scale = Math.max(scale, Math.abs(x[j]!));
    }
  });
  return diff / scale;
}

const snapshot = (params: readonly Parameter[]): FloatArray[] => params.map((p) => p.grad.slice());

interface Profile {
  readonly model: string;
  readonly timer: PhaseTimer;
  /** Phases measured outside the step and charged per step (the recurrent models' segments). */
  readonly perStep: ReadonlyMap<string, number>;
  readonly check: string;
}

function recurrentProfile(cell: Cell, corpus: ReturnType<typeof encodeCorpus>): Profile {
  const V = corpus.vocab.size;
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
    output: OUTPUT,
    seed: 1,
  });
  const sentences = corpus.train.starts.length - 1;
  if (net.output instanceof ClassSoftmax) {
    // As the trainer does: the classes of the training counts, then the parameters drawn for them.
    net.output.setClasses(classesForTraining(OUTPUT, V, corpus.train.tokens, EOS_ID, sentences));
    net.initialize(1);
  }
  const full = net.output instanceof FullSoftmax ? net.output : null;
  const H = SIZE;
  const D = SIZE;
  const params = net.parameters;
  const cutStart = performance.now();
  const segments = streamSegments(corpus.train, BATCH, BPTT);
  const cutMs = (performance.now() - cutStart) / segments.length;
  const rows = BATCH * BPTT;
  const x = allocate('float32', rows * D);
  const logits = allocate('float32', full ? rows * V : 0);
  const dTop = allocate('float32', rows * H);
  const h = allocate('float32', BATCH * H);
  const c = allocate('float32', BATCH * H);
  const zeros = allocate('float32', BATCH * H);
  const ws = net.layer.createWorkspace();
  const adam = optimizerFor(params, 0.002);
  const encoder = net.encoder!;

  /** TrainingPass.step without dropout, then fit's clipping and Adam; returns the summed loss. */
  const step = (segment: Segment, t: PhaseTimer, update: boolean): number => {
    const { steps: T, batch: B, inputs, targets } = segment;
    const n = T * B;
    t.start('zero gradients');
    zeroGradients(params);
    t.start('embedding');
    net.embed(inputs, x, n);
    t.start('recurrence');
    const out = net.layer.forwardTimeMajor(ws, x.subarray(0, n * D), T, B, segment.reset ? zeros : h, segment.reset ? zeros : c, true);
    h.set(ws.hN.subarray(0, B * H));
    if (cell === 'lstm') c.set(ws.cN.subarray(0, B * H));
    const dHidden = dTop.subarray(0, n * H);
    const gradScale = 1 / Math.max(segment.tokens, 1);
    let loss: number;
    if (full) {
      // FullSoftmax.forwardBackward (numerics/output/full-softmax.ts), call by call.
      const W = full.weight;
      const b = full.bias;
      t.start('output: logits product');
      const y = logits.subarray(0, n * V);
      matmulTransB(out, W.data, y, n, H, V, false);
      t.start('output: bias and its gradient');
      addBias(y, b.data, n, V);
      t.start('output: softmax cross-entropy');
      loss = softmaxCrossEntropy(y, targets, y, n, V, gradScale);
      t.start('output: weight-gradient product');
      matmulTransA(y, out, W.grad, V, n, H, true);
      t.start('output: bias and its gradient');
      biasGradient(y, b.grad, n, V);
      t.start('output: input-gradient product');
      matmul(y, W.data, dHidden, n, V, H);
    } else {
      t.start('output: class-factored forwardBackward');
      loss = net.output.forwardBackward(out, targets, n, gradScale, dHidden);
    }
    t.start('recurrence');
    const dx = net.layer.backwardTimeMajor(ws, dHidden);
    t.start('embedding');
    embeddingParameterBackward(encoder, inputs, dx, n, D);
    if (update) {
      t.start('clipping / gradient norm');
      clipGradNorm(params, 0.25);
      t.start('optimizer');
      adam.step();
    }
    return loss;
  };

  // The copy against the model's own step, on the first segment (a zero state), from the same parameters.
  const pass = new TrainingPass(net, BATCH, BPTT);
  zeroGradients(params);
  const lossModel = pass.step(segments[0]!);
  const expected = snapshot(params);
  const scratch = new PhaseTimer();
  const lossCopy = step(segments[0]!, scratch, false);
  scratch.end(false);
  const diff = gradientDifference(expected, snapshot(params));
  if (Math.abs(lossModel - lossCopy) > 1e-6 * Math.abs(lossModel) || diff > 1e-6)
    throw new Error(`${cell}: the profiled step is not the model's (loss ${lossModel} vs ${lossCopy}, gradients differ by ${diff})`);
  pass.dispose();

  const timer = new PhaseTimer();
  for (let k = 0; k < WARMUP + STEPS; k++) {
    step(segments[k % segments.length]!, timer, true);
    timer.end(k >= WARMUP);
  }
  ws.dispose();
  adam.dispose();
  net.dispose();
  for (const a of [x, logits, dTop, h, c, zeros]) release(a);
  return {
    model: `${cell}, ${OUTPUT.output} output, ${values.optimizer}`,
    timer,
    perStep: new Map([['data (segments, per step)', cutMs]]),
    check: `summed loss ${lossCopy.toFixed(4)}, gradients within ${diff.toExponential(1)}`,
  };
}

function windowProfile(corpus: ReturnType<typeof encodeCorpus>): Profile {
  const V = corpus.vocab.size;
  const n = 5;
  const m = 60;
  const hidden = 100;
  const batch = 128;
  const net = new WindowNetwork({ vocabSize: V, n, m, h: hidden, direct: false, dtype: 'float32', output: OUTPUT });
  const random = new Random(1);
  const classes = net.outputLayer;
  if (classes instanceof ClassSoftmax) classes.setClasses(classesForTraining(OUTPUT, V, corpus.train.tokens, EOS_ID, corpus.train.starts.length - 1));
  net.initialize(random);
  const ws = new WindowWorkspace(net, batch);
  const examples = windowExamples(corpus.train, n, 'stream');
  const order = Int32Array.from({ length: examples.positions.length }, (_, i) => i);
  const shuffleStart = performance.now();
  random.shuffle(order);
  const shuffleMs = ((performance.now() - shuffleStart) * batch) / order.length;
  const params = net.parameters();
  const adam = optimizerFor(params, 1e-3);
  const { C, H, d, b } = net;
  const I = net.inputSize;
  const K = net.outputInputs;
  const w = n - 1;
  let from = 0;

  /** windowStep of models/window/training.ts (no dropout, no direct connections: Z = t), then fit's norm and Adam. */
  const step = (t: PhaseTimer, update: boolean, advance: boolean): number => {
    const rows = batch;
    const { x, t: th, Z, y, dZ, da, dx, contexts, targets } = ws;
    t.start('data (batching)');
    gatherBatch(examples, order, from, rows, n, contexts, targets);
    if (advance) from = (from + rows) % (order.length - rows);
    t.start('embedding');
    embeddingForward(C.data, contexts, x, rows * w, m);
    t.start('hidden layer');
    for (let r = 0; r < rows; r++) th.set(d!.data, r * hidden);
    matmulTransB(x, H!.data, th, rows, I, hidden, true);
    tanhForward(th, th, rows * hidden);
    Z.set(th.subarray(0, rows * hidden));
    let loss: number;
    if (classes) {
      t.start('output: class-factored forwardBackward');
      zeroGradients(classes.parameters);
      loss = classes.forwardBackward(Z, targets, rows, 1 / rows, dZ);
    } else {
      t.start('output: logits product');
      matmul(Z, net.O, y, rows, K, V, false);
      t.start('output: bias and its gradient');
      addBias(y, b!.data, rows, V);
      t.start('output: softmax cross-entropy');
      loss = softmaxCrossEntropy(y, targets, y, rows, V, 1 / rows);
      t.start('output: bias and its gradient');
      b!.grad.fill(0);
      biasGradient(y, b!.grad, rows, V);
      t.start('output: weight-gradient product');
      matmulTransA(Z, y, net.dO, K, rows, V);
      t.start('output: input-gradient product');
      matmulTransB(y, net.O, dZ, rows, V, K);
    }
    t.start('hidden layer');
    dx.fill(0, 0, rows * I);
    da.set(dZ.subarray(0, rows * hidden));
    tanhBackward(th, da, da, rows * hidden);
    d!.grad.fill(0);
    biasGradient(da, d!.grad, rows, hidden);
    matmulTransA(da, x, H!.grad, hidden, rows, I);
    matmul(da, H!.data, dx, rows, hidden, I, true);
    t.start('embedding');
    embeddingParameterBackward(C, contexts, dx, rows * w, m);
    if (update) {
      t.start('clipping / gradient norm');
      gradientNorm(params);
      t.start('optimizer');
      adam.step();
      t.start('zero gradients');
      zeroGradients([C]);
    }
    return loss;
  };

  // The copy against windowStep on the same batch.
  zeroGradients(params);
  gatherBatch(examples, order, 0, batch, n, ws.contexts, ws.targets);
  const lossModel = windowStep(ws, batch, 0, null);
  const expected = snapshot(params);
  zeroGradients(params);
  const scratch = new PhaseTimer();
  const lossCopy = step(scratch, false, false);
  scratch.end(false);
  const diff = gradientDifference(expected, snapshot(params));
  if (Math.abs(lossModel - lossCopy) > 1e-6 * Math.abs(lossModel) || diff > 1e-6)
    throw new Error(`window: the profiled step is not the model's (loss ${lossModel} vs ${lossCopy}, gradients differ by ${diff})`);
  zeroGradients(params);

  const timer = new PhaseTimer();
  for (let k = 0; k < WARMUP + STEPS; k++) {
    step(timer, true, true);
    timer.end(k >= WARMUP);
  }
  ws.dispose();
  adam.dispose();
  net.dispose();
  return {
    model: `window n=${n} m=${m} h=${hidden}, ${OUTPUT.output} output, ${values.optimizer}`,
    timer,
    perStep: new Map([['data (epoch shuffle, per step)', shuffleMs]]),
    check: `summed loss ${lossCopy.toFixed(4)}, gradients within ${diff.toExponential(1)}`,
  };
}

function table(p: Profile): string[] {
  const phases = new Map<string, number>();
  for (const s of p.timer.steps) for (const k of s.keys()) phases.set(k, 0);
  for (const k of phases.keys()) phases.set(k, median(p.timer.steps.map((s) => s.get(k) ?? 0)));
  for (const [k, v] of p.perStep) phases.set(k, v);
  const total = [...phases.values()].reduce((a, v) => a + v, 0);
  const stepTotals = p.timer.steps.map((s) => [...s.values()].reduce((a, v) => a + v, 0));
  const output = [...phases].filter(([k]) => k.startsWith('output')).reduce((a, [, v]) => a + v, 0);
  return [
    `**${p.model}**: median step ${median(stepTotals).toFixed(1)} ms (min ${Math.min(...stepTotals).toFixed(1)}, max ${Math.max(...stepTotals).toFixed(1)}); output layer ${((100 * output) / total).toFixed(1)}% of the summed medians; check against the model's step: ${p.check}`,
    '',
    '| phase | ms | % |',
    '| --- | --- | --- |',
    ...[...phases].sort((a, b) => b[1] - a[1]).map(([k, v]) => `| ${k} | ${v.toFixed(2)} | ${((100 * v) / total).toFixed(1)} |`),
    `| sum of the medians | ${total.toFixed(2)} | 100 |`,
    '',
  ];
}

const corpus = encodeCorpus(loadCorpus('brown'));
const load = loadavg();
const lines = [
  `Step profile, |V| = ${corpus.vocab.size}, ${STEPS} timed steps after ${WARMUP} warm-up, ${kernelThreads()} kernel threads, ${new Date().toISOString()}`,
  '',
];
for (const name of values.models.split(',')) {
  // Each profile releases what it allocated (not allocationMark/releaseSince: the kernel workers, started lazily
  // during the first profile, keep their job records in kernel memory allocated after any earlier mark).
  const profile = name === 'window' ? windowProfile(corpus) : recurrentProfile(name as Cell, corpus);
  lines.push(...table(profile));
  process.stderr.write(`${name} done\n`);
}
lines.push(
  `Load average ${load.map((l) => l.toFixed(1)).join(' ')} → ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (2 cores, shared).`,
);
const text = `${lines.join('\n')}\n`;
console.log(text);
if (values.out) writeFileSync(values.out, text);
