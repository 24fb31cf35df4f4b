import { BOS_ID } from '../../corpora/vocabulary.ts';
import { logSoftmaxAt, logSoftmaxRows } from '../../numerics/softmax.ts';
import type { Scorer } from '../types.ts';
import { forward, WindowWorkspace, type WindowNetwork } from './network.ts';

/** Contexts per output-layer product when scoring a sequence: enough rows to keep the matrix kernels busy. */
const SCORING_ROWS = 64;

/**
 * One scoring workspace per network, shared by all its scorers: it is scratch that each call fills and
 * reads before returning, while a scorer's own state (history, cached distribution) is its own.
 */
const scoringWorkspaces = new WeakMap<WindowNetwork, WindowWorkspace>();

function scoringWorkspace(net: WindowNetwork): WindowWorkspace {
  let ws = scoringWorkspaces.get(net);
  if (!ws) {
    ws = new WindowWorkspace(net, SCORING_ROWS);
    scoringWorkspaces.set(net, ws);
  }
  return ws;
}

/** Release a network's scoring workspace (with the network, when a model is disposed). */
export function releaseScoringWorkspace(net: WindowNetwork): void {
  scoringWorkspaces.get(net)?.dispose();
  scoringWorkspaces.delete(net);
}

/**
 * The window model's scorer: the history is the last n−1 ids (`<s>` where there are fewer). `scoreSequence`
 * scores a whole sequence's windows as batches through one output-layer product each; token by token, the
 * log-distribution of the current history is computed once and cached until the next `feed`/`reset`.
 */
export class WindowScorer implements Scorer {
  readonly vocabSize: number;
  private readonly history: Int32Array;
  private readonly ws: WindowWorkspace;
  private readonly logProbs: Float64Array;
  private cached = false;
  private readonly batchOut = new Float64Array(SCORING_ROWS);

  constructor(private readonly net: WindowNetwork) {
    this.vocabSize = net.vocabSize;
    this.history = new Int32Array(net.n - 1).fill(BOS_ID);
    this.ws = scoringWorkspace(net);
    this.logProbs = new Float64Array(net.vocabSize);
  }

  reset(): void {
    this.history.fill(BOS_ID);
    this.cached = false;
  }

  feed(token: number): void {
    const h = this.history;
    h.copyWithin(0, 1);
    h[h.length - 1] = token;
    this.cached = false;
  }

  private logDistribution(): Float64Array {
    if (!this.cached) {
      this.ws.contexts.set(this.history);
      forward(this.ws, 1);
      const classes = this.net.classOutput;
      if (classes) classes.logDistribution(this.ws.Z, this.logProbs);
      else logSoftmaxRows(this.ws.y, this.logProbs, 1, this.vocabSize);
      this.cached = true;
    }
    return this.logProbs;
  }

  logProb(next: number): number {
    return this.logDistribution()[next]!;
  }

  distribution(out: Float64Array): void {
    const lp = this.logDistribution();
    for (let w = 0; w < lp.length; w++) out[w] = Math.exp(lp[w]!);
  }

  scoreSequence(tokens: Int32Array, out: Float64Array): void {
    const w = this.net.n - 1;
    const { contexts, targets, y } = this.ws;
    for (let from = 0; from < tokens.length; from += SCORING_ROWS) {
      const rows = Math.min(SCORING_ROWS, tokens.length - from);
      for (let i = 0; i < rows; i++) {
        contexts.set(this.history, i * w);
        targets[i] = tokens[from + i]!;
        this.feed(tokens[from + i]!);
      }
      forward(this.ws, rows);
      const classes = this.net.classOutput;
      if (classes) classes.logProbAt(this.ws.Z, targets, rows, this.batchOut);
      else logSoftmaxAt(y, targets, this.batchOut, rows, this.vocabSize);
      out.set(this.batchOut.subarray(0, rows), from);
    }
  }
}
