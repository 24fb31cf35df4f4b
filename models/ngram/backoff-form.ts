import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { NgramTrie } from './trie.ts';

/**
 * The last stage every smoothing method shares: its per-context estimates written in back-off form, as an
 * ARPA file and the back-off scorer hold a model (Katz 1987's form): for each stored n-gram h w its
 * probability p(w | h), for each context h a weight b(h) that multiplies the lower order p(w | h′) for the
 * words h has not stored.
 *
 * A method gives, for each context h of order k, the share α(w | h) each stored continuation keeps for
 * itself and the weight γ(h) of the lower order (Chen & Goodman 1998, eq. 12: every method is
 * p(w | h) = α(w | h) + γ(h) p(w | h′) for interpolated models, or α(w | h) if seen, else γ(h) p(w | h′)
 * for back-off ones). The two compositions:
 *
 * - interpolated: p(w | h) = α(w | h) + γ(h) p(w | h′) for stored w, and b(h) = γ(h);
 * - back-off:     p(w | h) = α(w | h) for seen w (α > 0), and b(h) = (1 − Σ_seen α) / (1 − Σ_seen p(w | h′))
 *                 (Katz 1987, eq. 16), so that p( · | h) sums to 1.
 *
 * The order below the unigrams is the uniform distribution over the vocabulary without `<s>` (Chen &
 * Goodman's 0-gram; KenLM's `--interpolate_unigrams`), which is where a word without training counts, such
 * as `<unk>`, gets its probability; `<s>` is never predicted (probability 0).
 */
export type Composition = 'interpolated' | 'backoff';

/**
 * The estimates of one context: write α(w | h) of each child i ∈ [first, end) into `alpha[i − first]` and
 * return γ(h). `h` is the context's index at order k − 1 (0, the empty context, for unigrams).
 */
export type ContextRule = (h: number, first: number, end: number, alpha: Float64Array) => number;

export interface BackoffWeights {
  /** `logProb[k - 1][i]`: log10 p of k-gram i (−Infinity for `<s>`). */
  readonly logProb: Float32Array[];
  /** `logBackoff[k - 1][i]`: log10 b of k-gram i as a context, 0 if nothing follows it; orders 1..N−1. */
  readonly logBackoff: Float32Array[];
}

/** The n-grams and their links to the lower order (from counting: `NgramCounts`). */
export interface TrieLinks {
  readonly trie: NgramTrie;
  /**
   * `suffixes[k - 1][i]`: index at order k − 1 of k-gram i without its first word; all 0 for unigrams (the empty
   * context), through which `composeBackoff` reads the 0-gram as every order reads its lower one.
   */
  readonly suffixes: readonly Int32Array[];
}

/** Below this, "the lower order left nothing for unseen words" (every word of V′ was seen after h). */
const NOTHING_LEFT = 1e-12;

export function composeBackoff(links: TrieLinks, composition: Composition, ruleOf: (k: number) => ContextRule): BackoffWeights {
  const { trie, suffixes } = links;
  const order = trie.order;
  // Uniform over every word but <s> (lmplz: "includes <unk> but excludes <s>"), in single precision as lmplz keeps it.
  const uniform = Math.fround(1 / (trie.vocabSize - 1));
  const logProb: Float32Array[] = [];
  const logBackoff: Float32Array[] = [];
  // p of the (k−1)-grams, in single precision as lmplz keeps them; for k = 1 the uniform "0-gram".
  let lower = Float32Array.of(uniform);
  const stored = new StoredMass(links);
  let alpha = new Float64Array(0);
  for (let k = 1; k <= order; k++) {
    const size = trie.size(k);
    const rule = ruleOf(k);
    const suffix = suffixes[k - 1]!;
    // The children of context h are [start[h], start[h + 1]); unigrams are the children of the empty context.
    const start = k === 1 ? Uint32Array.of(0, size) : trie.childStart[k - 2]!;
    const contexts = start.length - 1;
    const bo = new Float32Array(k === 1 ? 0 : contexts);
    const p = new Float32Array(size);
    const lp = new Float32Array(size);
    for (let h = 0; h < contexts; h++) {
      const first = start[h]!;
      const end = start[h + 1]!;
      if (first === end) continue; // not a context: back-off weight 1
      if (alpha.length < end - first) alpha = new Float64Array(Math.max(end - first, 2 * alpha.length));
      const gamma = rule(h, first, end, alpha);
      if (composition === 'interpolated') {
        // Unigrams' suffixes are all 0, the 0-gram `lower[0]`.
        for (let i = first; i < end; i++) {
          const q = Math.fround(alpha[i - first]! + gamma * lower[suffix[i]!]!);
          p[i] = q;
          // Rounding can push a probability a hair above 1; lmplz clamps log10 p at 0 too.
          lp[i] = Math.min(0, Math.log10(q));
        }
        if (k > 1) bo[h] = Math.log10(gamma);
      } else {
        const weight = stored.backOff(k, h, first, end, alpha, p, lp);
        if (k > 1) bo[h] = Math.log10(weight);
      }
    }
    if (k === 1) {
      p[BOS_ID] = 0;
      lp[BOS_ID] = -Infinity;
    } else {
      logBackoff.push(bo);
    }
    logProb.push(lp);
    if (composition === 'backoff') stored.finishOrder(k, lp, bo);
    lower = p;
  }
  return { logProb, logBackoff };
}

/**
 * The back-off composition, computed from the probabilities as they are stored (single-precision log10, as
 * in an ARPA file), as SRILM computes its back-off weights from the probabilities it writes: the weight b(h)
 * divides the mass h leaves by the stored mass the lower order gives the unseen words, S(h′) − Σ_seen
 * p(w | h′), where S(h′) is the stored lower distribution's own total (1 up to rounding). With exact
 * arithmetic this is Katz's b(h); with stored values it keeps the stored model normalised to single
 * precision even where the seen words hold almost all the lower order's mass (1 − Σ_seen close to 0, which
 * would magnify the rounding of every stored value).
 */
class StoredMass {
  /** `lower[i]`: the stored p of (k−1)-gram i, 10^logProb (for k = 1 the uniform 0-gram, not stored). */
  private lower = new Float64Array(0);
  /** `total[j][h]`: S(h), the stored distribution after j-gram h summed over the vocabulary (j = 0: the unigrams). */
  private readonly total: Float64Array[] = [];
  private readonly uniform: number;

  constructor(private readonly links: TrieLinks) {
    this.uniform = Math.fround(1 / (links.trie.vocabSize - 1));
  }

  private lowerOf(k: number, i: number): number {
    return k === 1 ? (i === BOS_ID ? 0 : this.uniform) : this.lower[this.links.suffixes[k - 1]![i]!]!;
  }

  /** S of the lower context of k-gram context h (the 0-gram: 1). */
  private lowerTotal(k: number, h: number): number {
    if (k === 1) return 1;
    if (k === 2) return this.total[0]![0]!;
    return this.total[k - 2]![this.links.suffixes[k - 2]![h]!]!;
  }

  /** Fill p and log10 p of the children of context h; returns b(h). */
  backOff(k: number, h: number, first: number, end: number, alpha: Float64Array, p: Float32Array, lp: Float32Array): number {
    let kept = 0;
    for (let i = first; i < end; i++) kept += alpha[i - first]!;
    let keptStored = 0;
    let lowerSeen = 0;
    const room0 = this.lowerTotal(k, h);
    for (let i = first; i < end; i++) if (alpha[i - first]! > 0) lowerSeen += this.lowerOf(k, i);
    // Every word the lower order can predict was seen after h: the seen words share what was left.
    const scale = room0 - lowerSeen < NOTHING_LEFT ? 1 / kept : 1;
    for (let i = first; i < end; i++) {
      const a = alpha[i - first]!;
      if (a > 0) {
        p[i] = a * scale;
        lp[i] = Math.min(0, Math.log10(a * scale));
        keptStored += 10 ** lp[i]!;
      }
    }
    const room = room0 - lowerSeen;
    const weight = scale !== 1 ? 1 : Math.max(0, 1 - keptStored) / room;
    for (let i = first; i < end; i++) {
      if (alpha[i - first]! > 0) continue;
      p[i] = weight * this.lowerOf(k, i);
      lp[i] = Math.log10(p[i]!);
    }
    return weight;
  }

  /**
   * After order k: S(h) for every (k−1)-gram h as a context (needed by order k + 1), the stored p of its
   * children plus b(h) times the stored lower mass of the other words, S(h′) − Σ_children p(w | h′); then the
   * stored p of the k-grams become the lower order.
   */
  finishOrder(k: number, lp: Float32Array, bo: Float32Array): void {
    const { trie, suffixes } = this.links;
    const stored = Float64Array.from(lp, (v) => 10 ** v);
    if (k === 1) {
      let sum = 0;
      for (const v of stored) sum += v;
      this.total[0] = Float64Array.of(sum);
    } else if (k < trie.order) {
      const start = trie.childStart[k - 2]!;
      const suffix = suffixes[k - 1]!;
      const totals = new Float64Array(start.length - 1);
      for (let h = 0; h < totals.length; h++) {
        let own = 0;
        let lowerSeen = 0;
        for (let i = start[h]!; i < start[h + 1]!; i++) {
          own += stored[i]!;
          lowerSeen += this.lower[suffix[i]!]!;
        }
        totals[h] = own + 10 ** bo[h]! * (this.lowerTotal(k, h) - lowerSeen);
      }
      this.total[k - 1] = totals;
    }
    this.lower = stored;
  }
}

/** Σ of `counts[first..end)` and how many of them are non-zero: c(h •) and N1+(h •). */
export function contextStatistics(counts: Uint32Array, first: number, end: number): { total: number; types: number } {
  let total = 0;
  let types = 0;
  for (let i = first; i < end; i++) {
    const c = counts[i]!;
    total += c;
    if (c > 0) types++;
  }
  return { total, types };
}
