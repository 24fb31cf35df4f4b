/**
 * Unsigned integers of a fixed bit width packed end to end in 32-bit words, least significant bits first (as
 * KenLM's util/bit_packing.hh packs its trie entries; there in 64-bit reads, here in two 32-bit ones since a
 * JavaScript bit operation is 32 bits wide). A value may straddle two words. Widths 1..32.
 */
export class PackedInts {
  readonly mask: number;

  constructor(
    readonly bits: number,
    readonly length: number,
    /** ⌈length · bits / 32⌉ words. */
    readonly data: Uint32Array,
  ) {
    if (!Number.isInteger(bits) || bits < 1 || bits > 32) throw new Error(`packed ints: ${bits} bits per value is not in 1..32`);
    if (data.length !== PackedInts.words(bits, length)) {
      throw new Error(`packed ints: ${length} values of ${bits} bits need ${PackedInts.words(bits, length)} words, not ${data.length}`);
    }
    this.mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
  }

  static words(bits: number, length: number): number {
    return Math.ceil((bits * length) / 32);
  }

  /**
   * Pack `values` (each in 0 .. 2^bits − 1) at `bits` bits each. One pass that writes each word once as the
   * values fill it (no read-modify-write of `set`): packing a 5-gram model's trie is millions of values.
   */
  static of(values: ArrayLike<number>, bits: number): PackedInts {
    const packed = new PackedInts(bits, values.length, new Uint32Array(PackedInts.words(bits, values.length)));
    const { data, mask } = packed;
    let w = 0;
    // Bits of data[w] already filled; a value that crosses into the next word leaves its high bits there.
    let offset = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (!(value >= 0 && value <= mask && Number.isInteger(value))) throw new Error(`packed ints: ${value} does not fit in ${bits} bits`);
      data[w] = data[w]! | (value << offset);
      offset += bits;
      if (offset >= 32) {
        offset -= 32;
        w++;
        // The bits of value above the 32 − (old offset) that fitted; the shift is in 1..31.
        if (offset > 0) data[w] = value >>> (bits - offset);
      }
    }
    return packed;
  }

  get(i: number): number {
    const bit = i * this.bits;
    // The word index stays below 2^31 (the array would be 8 GB); the bit index itself may not, hence no >>> 5.
    const w = (bit / 32) | 0;
    const offset = bit - w * 32;
    const data = this.data;
    let v = data[w]! >>> offset;
    if (offset + this.bits > 32) v |= data[w + 1]! << (32 - offset);
    return (v & this.mask) >>> 0;
  }

  set(i: number, value: number): void {
    if (!(value >= 0 && value <= this.mask && Number.isInteger(value))) throw new Error(`packed ints: ${value} does not fit in ${this.bits} bits`);
    const bit = i * this.bits;
    const w = (bit / 32) | 0;
    const offset = bit - w * 32;
    const data = this.data;
    data[w] = (data[w]! & ~((this.mask << offset) >>> 0)) | (value << offset);
    if (offset + this.bits > 32) {
      const high = this.bits - (32 - offset);
      const highMask = 2 ** high - 1;
      data[w + 1] = (data[w + 1]! & ~highMask) | (value / 2 ** (32 - offset));
    }
  }

  byteSize(): number {
    return this.data.byteLength;
  }

  /** All values, unpacked. */
  toUint32Array(): Uint32Array {
    const out = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

/** Bits an unsigned value up to `max` needs: ⌈log2(max + 1)⌉, at least 1 (KenLM's util::RequiredBits). */
export function bitsFor(max: number): number {
  let bits = 1;
  while (bits < 32 && 2 ** bits <= max) bits++;
  return bits;
}
