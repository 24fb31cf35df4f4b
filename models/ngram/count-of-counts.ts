/** `n[j]` = how many entries of `counts` equal j, for j = 1..max (`n[0]` unused, 0): the count-of-counts n_j. */
export function countOfCounts(counts: Uint32Array, max: number): number[] {
  const n = new Array<number>(max + 1).fill(0);
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i]!;
    if (v >= 1 && v <= max) n[v]!++;
  }
  return n;
}
