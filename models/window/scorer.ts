import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { Scorer } from '../types.ts';
import { features, OUTPUT_ROWS, WindowWorkspace, type WindowNetwork } from './network.ts';

/**
 * Contexts per call of the hidden layer and the output layer when scoring (a sequence, or many sentences'
 * contexts together): as many as the network's output layer takes in one product.
 */
export const SCORING_ROWS = OUTPUT_ROWS;

/**
 * One scoring workspace per network, shared by all its scorers: it is scratch that each call fills and
 * reads before returning, while a scorer's own state (history, cached distribution) is its own.
 */
const scoringWorkspaces = new WeakMap<WindowNetwork, WindowWorkspace>();

function scoringWorkspace(net: WindowNetwork): WindowWorkspace {
  let ws = scoringWorkspaces.get(net);
  if (!ws) {
    ws = new WindowWorkspace(net, SCORING_ROWS, false, true);
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
 * scores a whole sequence's windows as batches through one output-layer product each, and `scoreSentences`
 * the windows of many sentences together (every context is known ahead: the n − 1 ids before each position,
 * `<s>` before a sentence's start); token by token, the log-distribution of the current history is computed
 * once and cached until the next `feed`/`reset`. Every output-layer computation goes through the network's
 * `scoreTargets` and `logDistribution`.
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
      features(this.ws, 1);
      this.net.logDistribution(this.ws.Z, this.logProbs);
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
    const { contexts, targets } = this.ws;
    for (let from = 0; from < tokens.length; from += SCORING_ROWS) {
      const rows = Math.min(SCORING_ROWS, tokens.length - from);
      for (let i = 0; i < rows; i++) {
        contexts.set(this.history, i * w);
        targets[i] = tokens[from + i]!;
        this.feed(tokens[from + i]!);
      }
      this.score(rows);
      out.set(this.batchOut.subarray(0, rows), from);
    }
  }

  scoreSentences(sentences: readonly Int32Array[], outs: readonly Float64Array[]): void {
    const w = this.net.n - 1;
    const { contexts, targets } = this.ws;
    let rows = 0;
    // Where the chunk's first row goes: sentence j, position i.
    let j = 0;
    let i = 0;
    const flush = (): void => {
      this.score(rows);
      for (let r = 0; r < rows; r++, i++) {
        while (i >= sentences[j]!.length) {
          j++;
          i = 0;
        }
        outs[j]![i] = this.batchOut[r]!;
      }
      rows = 0;
    };
    for (const s of sentences) {
      for (let p = 0; p < s.length; p++) {
        // The context of position p: ids p − n + 1 … p − 1, oldest first, <s> before the start.
        const at = rows * w;
        for (let k = 0; k < w; k++) {
          const q = p - w + k;
          contexts[at + k] = q < 0 ? BOS_ID : s[q]!;
        }
        targets[rows++] = s[p]!;
        if (rows === SCORING_ROWS) flush();
      }
    }
    if (rows > 0) flush();
    this.reset();
  }

  /** ln P(target | context) of the first `rows` contexts of the workspace, into `batchOut`. */
  private score(rows: number): void {
    features(this.ws, rows);
    this.net.scoreTargets(this.ws.Z, this.ws.targets, rows, this.batchOut);
  }
}
