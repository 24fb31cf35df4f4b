/**
 * Which rows of a [rows × width] parameter have a gradient since it was last zeroed: the rows of an embedding
 * table that a batch looked up, the word rows of the classes a class-factored output computed. With it, zeroing,
 * the gradient norm, clipping and `SparseAdam` cost the rows a step touched instead of the whole table.
 *
 * The invariant every writer of such a gradient keeps: a row whose gradient is not zero is marked. Marking a row
 * whose gradient stays zero is harmless (it costs a little work); missing one would lose its gradient.
 */
export class TouchedRows {
  private readonly flags: Uint8Array;
  private readonly list: Int32Array;
  private count = 0;
  private everything = false;
  private runs = new Int32Array(0);
  private runLength = 0;
  private runsValid = false;

  constructor(
    readonly rows: number,
    /** Elements per row (the table's second dimension; 1 for a bias). */
    readonly width: number,
  ) {
    this.flags = new Uint8Array(rows);
    this.list = new Int32Array(rows);
  }

  /** Every row counts as touched (a writer that fills the whole gradient, e.g. a tied output layer). */
  get all(): boolean {
    return this.everything;
  }

  /** How many rows are marked (`rows` when `all`). */
  get size(): number {
    return this.everything ? this.rows : this.count;
  }

  mark(row: number): void {
    if (this.flags[row] === 0) {
      this.flags[row] = 1;
      this.list[this.count++] = row;
      this.runsValid = false;
    }
  }

  /** Mark the rows ids[0..count). */
  markIds(ids: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.mark(ids[i]!);
  }

  /** Mark the rows from..to−1. */
  markRange(from: number, to: number): void {
    for (let r = from; r < to; r++) this.mark(r);
  }

  markAll(): void {
    this.everything = true;
    this.runsValid = false;
  }

  /** Forget every mark (after the gradient was zeroed). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.flags[this.list[i]!] = 0;
    this.count = 0;
    this.everything = false;
    this.runsValid = false;
  }

  /**
   * The touched rows as ascending runs of consecutive rows, in elements: pairs (offset, length) into the
   * parameter's flat array, [0, rows × width] for `all`. A view, valid until the next change.
   */
  elementRuns(): Int32Array {
    if (this.runsValid) return this.runs.subarray(0, this.runLength);
    if (this.runs.length < 2 * (this.count + 1)) this.runs = new Int32Array(2 * (this.rows + 1));
    let n = 0;
    if (this.everything) {
      this.runs[0] = 0;
      this.runs[1] = this.rows * this.width;
      n = 2;
    } else {
      const sorted = this.list.subarray(0, this.count).slice().sort();
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && sorted[j] === sorted[j - 1]! + 1) j++;
        this.runs[n++] = sorted[i]! * this.width;
        this.runs[n++] = (j - i) * this.width;
        i = j;
      }
    }
    this.runLength = n;
    this.runsValid = true;
    return this.runs.subarray(0, n);
  }
}
