import { PackedInts } from './bit-packing.ts';
import { backoffCodebook, encode, encodeBackoff, probCodebook, type Quantisation } from './quantisation.ts';

/** What a back-off scorer reads per n-gram: log10 p of k-gram i, and its log10 back-off weight (k < N). */
export interface BackoffValues {
  logProb(k: number, i: number): number;
  logBackoff(k: number, i: number): number;
  byteSize(): number;
}

/** Single-precision values, one array per order (as estimation and ARPA reading make them). */
export class FloatValues implements BackoffValues {
  constructor(
    /** `prob[k - 1]`: log10 p of each k-gram. */
    readonly prob: readonly Float32Array[],
    /** `backoff[k - 1]`: log10 b of each k-gram, k < N. */
    readonly backoff: readonly Float32Array[],
  ) {}

  logProb(k: number, i: number): number {
    return this.prob[k - 1]![i]!;
  }

  logBackoff(k: number, i: number): number {
    return this.backoff[k - 1]![i]!;
  }

  byteSize(): number {
    return [...this.prob, ...this.backoff].reduce((s, a) => s + a.byteLength, 0);
  }
}

/** Quantised values (quantisation.ts): unigrams as floats, each higher order as codes into its order's codebooks. */
export class QuantisedValues implements BackoffValues {
  constructor(
    readonly quantisation: Quantisation,
    readonly unigramProb: Float32Array,
    /** Empty for a unigram model. */
    readonly unigramBackoff: Float32Array,
    /** `probCodes[k - 2]`, `probCentres[k - 2]`: k = 2..N. */
    readonly probCodes: readonly PackedInts[],
    readonly probCentres: readonly Float32Array[],
    /** `backoffCodes[k - 2]`, `backoffCentres[k - 2]`: k = 2..N−1. */
    readonly backoffCodes: readonly PackedInts[],
    readonly backoffCentres: readonly Float32Array[],
  ) {}

  static of(values: FloatValues, quantisation: Quantisation): QuantisedValues {
    const { probBits, backoffBits } = quantisation;
    const higherProb = values.prob.slice(1);
    const higherBackoff = values.backoff.slice(1);
    const probCentres = higherProb.map((lp) => probCodebook(lp, probBits));
    const backoffCentres = higherBackoff.map((bo) => backoffCodebook(bo, backoffBits));
    return new QuantisedValues(
      quantisation,
      values.prob[0]!,
      values.backoff[0] ?? new Float32Array(0),
      higherProb.map((lp, i) =>
        PackedInts.of(
          Array.from(lp, (v) => encode(probCentres[i]!, v)),
          probBits,
        ),
      ),
      probCentres,
      higherBackoff.map((bo, i) =>
        PackedInts.of(
          Array.from(bo, (v) => encodeBackoff(backoffCentres[i]!, v)),
          backoffBits,
        ),
      ),
      backoffCentres,
    );
  }

  logProb(k: number, i: number): number {
    return k === 1 ? this.unigramProb[i]! : this.probCentres[k - 2]![this.probCodes[k - 2]!.get(i)]!;
  }

  logBackoff(k: number, i: number): number {
    if (k === 1) return this.unigramBackoff[i]!;
    return this.backoffCentres[k - 2]![this.backoffCodes[k - 2]!.get(i)]!;
  }

  /** The decoded values, as floats (what `export-arpa` writes). */
  decode(): FloatValues {
    const prob = [this.unigramProb, ...this.probCodes.map((codes, i) => Float32Array.from(codes.toUint32Array(), (c) => this.probCentres[i]![c]!))];
    const backoff = this.unigramBackoff.length === 0 ? [] : [this.unigramBackoff];
    this.backoffCodes.forEach((codes, i) => {
      // The reserved zeros decode to +0 (KenLM's −0 marks "no extension", which scores the same).
      backoff.push(Float32Array.from(codes.toUint32Array(), (c) => this.backoffCentres[i]![c]! || 0));
    });
    return new FloatValues(prob, backoff);
  }

  byteSize(): number {
    const floats = [this.unigramProb, this.unigramBackoff, ...this.probCentres, ...this.backoffCentres].reduce((s, a) => s + a.byteLength, 0);
    return floats + [...this.probCodes, ...this.backoffCodes].reduce((s, c) => s + c.byteSize(), 0);
  }
}
