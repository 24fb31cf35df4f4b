/**
 * The 32-bit Mersenne Twister (Matsumoto & Nishimura 1998) as PyTorch's CPU generator holds it
 * (`aten/src/ATen/core/MT19937RNGEngine.h`): the state seeded from the low 32 bits of the seed by the
 * reference `init_genrand` recurrence, regenerated 624 words at a time, each output tempered.
 */

const STATE_WORDS = 624;
const SHIFT_WORDS = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly state = new Uint32Array(STATE_WORDS);
  /** Index of the next state word to temper; STATE_WORDS means "regenerate first". */
  private next = STATE_WORDS;

  constructor(seed: number) {
    this.seed(seed);
  }

  /**
   * torch's `init_with_uint32`: state[0] = seed mod 2³² (a negative seed as torch wraps it, modulo 2⁶⁴, whose low
   * 32 bits are these), state[j] = 1812433253·(s ⊕ (s ≫ 30)) + j mod 2³².
   */
  seed(seed: number): void {
    const s = this.state;
    s[0] = ((seed % 2 ** 32) + 2 ** 32) % 2 ** 32;
    for (let j = 1; j < STATE_WORDS; j++) {
      const prev = s[j - 1]!;
      s[j] = Math.imul(1812433253, (prev ^ (prev >>> 30)) >>> 0) + j;
    }
    this.next = STATE_WORDS;
  }

  /** The next 32-bit output, in [0, 2³²). */
  nextUint32(): number {
    if (this.next >= STATE_WORDS) this.regenerate();
    let y = this.state[this.next++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A snapshot of the state (for `getState`/`setState`). */
  snapshot(): { readonly state: Uint32Array; readonly next: number } {
    return { state: this.state.slice(), next: this.next };
  }

  restore(snapshot: { readonly state: Uint32Array; readonly next: number }): void {
    this.state.set(snapshot.state);
    this.next = snapshot.next;
  }

  /** The twist: every word from the upper bit of itself, the lower bits of the next and the word 397 on. */
  private regenerate(): void {
    const s = this.state;
    for (let k = 0; k < STATE_WORDS; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[(k + 1) % STATE_WORDS]! & LOWER_MASK);
      s[k] = s[(k + SHIFT_WORDS) % STATE_WORDS]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.next = 0;
  }
}
