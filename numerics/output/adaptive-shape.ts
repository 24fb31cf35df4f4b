import { UserError } from '../../errors/user-error.ts';

/**
 * The sizes of an adaptive softmax (Grave, Joulin, Cissé, Grangier & Jégou 2017, "Efficient softmax
 * approximation for GPUs"), laid out as PyTorch 1.13's `nn.AdaptiveLogSoftmaxWithLoss`:
 *
 * - word ids are assumed sorted by descending frequency (id 0 the most frequent), as torch's module assumes;
 * - `cutoffs` c₀ < c₁ < … < c_{n−1} < |V| split the ids into the head's shortlist [0, c₀) and n tail clusters
 *   [c₀, c₁), …, [c_{n−1}, |V|);
 * - the head is Linear(inputSize → c₀ + n): the shortlist's logits, then one logit per cluster in cluster
 *   order (head index c₀ + i stands for cluster i);
 * - cluster i is Linear(inputSize → ⌊inputSize / divValue^(i+1)⌋, no bias) → Linear(→ its word count, no bias):
 *   rarer clusters get narrower projections (the paper's reduced capacity for rare words).
 */
export interface AdaptiveShape {
  readonly vocabSize: number;
  readonly inputSize: number;
  /** As given: increasing, the first ≥ 1, the last ≤ |V| − 1. */
  readonly cutoffs: readonly number[];
  readonly divValue: number;
  readonly headBias: boolean;
  /** c₀: the words the head scores directly. */
  readonly shortlistSize: number;
  /** n = cutoffs.length. */
  readonly clusterCount: number;
  /** c₀ + n: the head's output width. */
  readonly headSize: number;
  /** Per cluster i: its first word id cᵢ (the last cluster ends at |V|). */
  readonly clusterStart: readonly number[];
  /** Per cluster i: c_{i+1} − cᵢ words. */
  readonly clusterSize: readonly number[];
  /** Per cluster i: the projection width ⌊inputSize / divValue^(i+1)⌋ (torch's `hsz`). */
  readonly projectionSize: readonly number[];
}

export interface AdaptiveShapeOptions {
  readonly vocabSize: number;
  readonly inputSize: number;
  readonly cutoffs: readonly number[];
  /** Default 4 (torch's `div_value`). */
  readonly divValue?: number;
  /** Default false (torch's `head_bias`; "set to False in the official implementation"). */
  readonly headBias?: boolean;
}

/**
 * Python's float floor division a // b for a, b > 0, which torch uses for the projection widths
 * (`int(in_features // div_value ** (i + 1))`). It is not always ⌊a / b⌋ of the rounded quotient: CPython
 * takes (a − fmod(a, b)) / b and rounds that, so 1 // 0.1 is 9 where Math.floor(1 / 0.1) is 10.
 */
export function pythonFloorDivide(a: number, b: number): number {
  const mod = a % b; // JavaScript's % is C's fmod: exact.
  const div = (a - mod) / b;
  if (div === 0) return 0;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

const isPositiveInteger = (v: number): boolean => Number.isSafeInteger(v) && v >= 1;

/** Checks the options as torch's constructor does (and a little more) and works out every size. */
export function adaptiveShape(options: AdaptiveShapeOptions): AdaptiveShape {
  const { vocabSize, inputSize, cutoffs } = options;
  const divValue = options.divValue ?? 4;
  const headBias = options.headBias ?? false;
  if (!isPositiveInteger(vocabSize) || vocabSize < 2) throw new UserError(`adaptive softmax: vocabSize must be an integer ≥ 2, got ${String(vocabSize)}`);
  if (!isPositiveInteger(inputSize)) throw new UserError(`adaptive softmax: inputSize must be an integer ≥ 1, got ${String(inputSize)}`);
  if (!(Number.isFinite(divValue) && divValue > 0)) throw new UserError(`adaptive softmax: divValue must be a positive number, got ${String(divValue)}`);
  const increasing = cutoffs.every((c, i) => i === 0 || c > cutoffs[i - 1]!);
  if (cutoffs.length === 0 || !increasing || !cutoffs.every(isPositiveInteger) || cutoffs[cutoffs.length - 1]! > vocabSize - 1) {
    throw new UserError(
      `adaptive softmax: cutoffs must be a non-empty increasing list of integers between 1 and vocabSize − 1 = ${vocabSize - 1}, got [${cutoffs.join(', ')}]`,
    );
  }
  const bounds = [...cutoffs, vocabSize];
  const clusterCount = cutoffs.length;
  const projectionSize: number[] = [];
  for (let i = 0; i < clusterCount; i++) {
    const p = pythonFloorDivide(inputSize, divValue ** (i + 1));
    // torch would build a 0-wide projection (every word of the cluster equally likely, whatever the input);
    // that is never what one wants, so it is refused rather than reproduced.
    if (p < 1) {
      throw new UserError(
        `adaptive softmax: cluster ${i} would have a projection of width ⌊${inputSize} / ${divValue}^${i + 1}⌋ = 0; use fewer cutoffs, a smaller divValue or a wider input`,
      );
    }
    projectionSize.push(p);
  }
  return {
    vocabSize,
    inputSize,
    cutoffs: [...cutoffs],
    divValue,
    headBias,
    shortlistSize: cutoffs[0]!,
    clusterCount,
    headSize: cutoffs[0]! + clusterCount,
    clusterStart: cutoffs.slice(),
    clusterSize: cutoffs.map((c, i) => bounds[i + 1]! - c),
    projectionSize,
  };
}

/** The torch parameter names, in `named_parameters()` order, with their shapes [out, in]. */
export function adaptiveParameterShapes(shape: AdaptiveShape): { name: string; shape: [number, number] | [number]; fanIn: number }[] {
  const out: { name: string; shape: [number, number] | [number]; fanIn: number }[] = [
    { name: 'head.weight', shape: [shape.headSize, shape.inputSize], fanIn: shape.inputSize },
  ];
  if (shape.headBias) out.push({ name: 'head.bias', shape: [shape.headSize], fanIn: shape.inputSize });
  for (let i = 0; i < shape.clusterCount; i++) {
    const p = shape.projectionSize[i]!;
    out.push({ name: `tail.${i}.0.weight`, shape: [p, shape.inputSize], fanIn: shape.inputSize });
    out.push({ name: `tail.${i}.1.weight`, shape: [shape.clusterSize[i]!, p], fanIn: p });
  }
  return out;
}

/** The shortlist of `defaultCutoffs`: at most 2,000 words, and at most a quarter of a small vocabulary. */
const MAX_SHORTLIST = 2000;
/** Each cut-off of `defaultCutoffs` is this many times the previous one (torch's default divValue, 4). */
const GROWTH = 4;

/**
 * A default cut-off rule for a vocabulary of `vocabSize` ids sorted by frequency (our own rule; neither the paper
 * nor torch fixes one). The shortlist is min(2000, ⌈|V| / 4⌉) words: 2,000 is the usual head of PyTorch word
 * language models on vocabularies of 10⁴–10⁵ words (e.g. cutoffs [2000, 10000] on WikiText-2), and Grave et al.'s
 * head likewise holds the few thousand words that cover most tokens (Zipf: on Brown's training split the top
 * 2,000 ids are 83.6% of the predicted tokens, ids 2,000–7,999 12.6%, the rest 3.9%). Each further cut-off is 4×
 * the previous, matching divValue = 4: a cluster 4× larger gets a 4× narrower projection, so the clusters cost
 * about the same per token that reaches them while each is reached less often. A cut-off is kept only if the last
 * cluster after it is at least as large as the one before it (no small leftover cluster), and, given the layer's
 * `inputSize` (and `divValue`, default 4), only while the new cluster's projection ⌊inputSize / divValue^(i+1)⌋ is
 * at least 1 wide. Brown (|V| = 14,116): [2000, 8000]; |V| = 1,000: [250]; WikiText-103 (267,735):
 * [2000, 8000, 32000, 128000], or [2000, 8000, 32000] for inputSize 128.
 */
export function defaultCutoffs(vocabSize: number, layer: { readonly inputSize?: number; readonly divValue?: number } = {}): number[] {
  if (!isPositiveInteger(vocabSize) || vocabSize < 2) throw new UserError(`adaptive softmax: vocabSize must be an integer ≥ 2, got ${String(vocabSize)}`);
  const divValue = layer.divValue ?? 4;
  const cutoffs = [Math.min(MAX_SHORTLIST, Math.ceil(vocabSize / 4))];
  for (;;) {
    const last = cutoffs[cutoffs.length - 1]!;
    const next = last * GROWTH;
    if (next >= vocabSize || vocabSize - next < next - last) break;
    // The new cut-off opens cluster number cutoffs.length (0-based), projected to inputSize / divValue^(that + 1).
    if (layer.inputSize !== undefined && pythonFloorDivide(layer.inputSize, divValue ** (cutoffs.length + 1)) < 1) break;
    cutoffs.push(next);
  }
  return cutoffs;
}
