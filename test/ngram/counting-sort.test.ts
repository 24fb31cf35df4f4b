import { describe, expect, it } from 'vitest';
import { radixDigits, radixPassTriples } from '../../models/ngram/counting-sort.ts';

describe('LSD radix sort of (context, word, position) triples', () => {
  it('splits a key range into the fewest passes of at most 11 bits', () => {
    expect(radixDigits(2)).toEqual([{ shift: 0, bits: 1 }]);
    expect(radixDigits(46_190)).toEqual([
      { shift: 0, bits: 8 },
      { shift: 8, bits: 8 },
    ]);
    expect(radixDigits(4_714_901)).toEqual([
      { shift: 0, bits: 8 },
      { shift: 8, bits: 8 },
      { shift: 16, bits: 7 },
    ]);
  });

  it('sorts by (field 0, field 1) stably when field 1 passes come first', () => {
    // Triples (context, word, position); positions give the input order, to check stability.
    const input = [
      [3, 5, 0],
      [1, 9, 1],
      [3, 2, 2],
      [1, 9, 3],
      [0, 4000, 4],
      [3, 2, 5],
    ];
    let data = Int32Array.from(input.flat());
    let spare = new Int32Array(data.length);
    for (const [field, range] of [
      [1, 4001],
      [0, 4],
    ] as const) {
      for (const digit of radixDigits(range)) {
        radixPassTriples(input.length, data, field, digit, spare);
        [data, spare] = [spare, data];
      }
    }
    expect(Array.from(data)).toEqual([0, 4000, 4, 1, 9, 1, 1, 9, 3, 3, 2, 2, 3, 2, 5, 3, 5, 0]);
  });
});
