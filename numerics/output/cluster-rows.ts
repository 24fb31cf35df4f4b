import { IGNORE_INDEX } from '../cross-entropy.ts';
import type { AdaptiveShape } from './adaptive-shape.ts';

/**
 * The rows of a batch sorted by the tail cluster of their target (a stable counting sort), so that each
 * cluster's rows are gathered into one block and go through its two products together, and the head's target
 * of every row. Rows whose target is in the shortlist need the head only and are in no cluster.
 */
export class ClusterRows {
  /** Per row: the head's target, the word itself (shortlist) or c₀ + i (cluster i); IGNORE_INDEX stays so. */
  headTargets = new Int32Array(0);
  /** Row indices, cluster by cluster: cluster i's are order[start[i] .. start[i + 1]). */
  order = new Int32Array(0);
  /** At the same positions as `order`: the target's index within its cluster (word id − cᵢ). */
  relative = new Int32Array(0);
  /** clusterCount + 1 offsets into `order`; start[clusterCount] is the number of rows in some cluster. */
  readonly start: Int32Array;
  /** Scratch: each row's cluster (−1 for none), and each cluster's next free position in `order`. */
  private cluster = new Int32Array(0);
  private readonly cursor: Int32Array;

  constructor(private readonly shape: AdaptiveShape) {
    this.start = new Int32Array(shape.clusterCount + 1);
    this.cursor = new Int32Array(shape.clusterCount);
  }

  /**
   * Sort the first `rows` targets. Throws a RangeError, before changing anything, for an id outside
   * 0..|V| − 1 (or IGNORE_INDEX where `allowIgnore`).
   */
  assign(targets: Int32Array, rows: number, allowIgnore: boolean): void {
    const { vocabSize, shortlistSize, clusterCount, clusterStart } = this.shape;
    if (targets.length < rows) throw new RangeError(`adaptive softmax: ${rows} rows but ${targets.length} targets`);
    for (let r = 0; r < rows; r++) {
      const t = targets[r]!;
      if (!(t >= 0 && t < vocabSize) && !(allowIgnore && t === IGNORE_INDEX)) {
        throw new RangeError(`target ${t} of row ${r} is outside 0..${vocabSize - 1}`);
      }
    }
    if (this.order.length < rows) {
      this.headTargets = new Int32Array(rows);
      this.order = new Int32Array(rows);
      this.relative = new Int32Array(rows);
      this.cluster = new Int32Array(rows);
    }
    const counts = this.start;
    counts.fill(0);
    for (let r = 0; r < rows; r++) {
      const t = targets[r]!;
      let c = -1;
      if (t >= shortlistSize) {
        // Clusters are few (2–5 in practice): a scan from the last is cheaper than a search.
        c = clusterCount - 1;
        while (t < clusterStart[c]!) c--;
        counts[c + 1]!++;
      }
      this.cluster[r] = c;
      this.headTargets[r] = c < 0 ? t : shortlistSize + c;
    }
    // counts[i + 1] holds cluster i's size; prefix sums turn them into start offsets (start[0] = 0).
    for (let i = 1; i <= clusterCount; i++) counts[i]! += counts[i - 1]!;
    const cursor = this.cursor;
    cursor.set(counts.subarray(0, clusterCount));
    for (let r = 0; r < rows; r++) {
      const c = this.cluster[r]!;
      if (c < 0) continue;
      const at = cursor[c]!++;
      this.order[at] = r;
      this.relative[at] = targets[r]! - clusterStart[c]!;
    }
  }

  /** Rows in cluster i. */
  count(i: number): number {
    return this.start[i + 1]! - this.start[i]!;
  }
}
