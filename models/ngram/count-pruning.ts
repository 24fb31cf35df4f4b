import { UserError } from '../../errors/user-error.ts';
import type { Composition, ContextRule } from './backoff-form.ts';
import type { NgramCounts } from './counting.ts';
import { closeKept, type KeptNgrams } from './trie-subset.ts';

/**
 * Count pruning with KenLM's `lmplz --prune` semantics (lm/builder/adjust_counts.cc and
 * initial_probabilities.cc at 4cb443e): an n-gram of order k is dropped when its occurrence count in the
 * training text (KenLM's "actual count", for lower orders too, not the adjusted Kneser-Ney count) is at
 * most the order's threshold. The discounts are still estimated from the count-of-counts of every n-gram;
 * a dropped n-gram's share α(w | h) of its context goes to the context's lower-order weight γ(h), so the
 * model still sums to 1 (in KenLM's terms: the pruned adjusted counts join γ's numerator, the
 * denominator keeps every count, and only unpruned n-grams count in N_j(h •)).
 */

/**
 * One threshold per order from unigrams up, the last repeated for the higher orders, as `lmplz --prune`
 * reads them. Unigram pruning would drop words from the vocabulary, which changes what the model is scored
 * on, so the first threshold must be 0 (KenLM's own note: "threshold for unigram can only be 0").
 */
export function pruneThresholds(prune: readonly number[], order: number): number[] {
  const problem = pruneProblem(prune, order);
  if (problem) throw new UserError(`"prune" (${prune.join(', ')}): ${problem}`);
  return Array.from({ length: order }, (_, i) => prune[Math.min(i, prune.length - 1)]!);
}

/** What is wrong with the thresholds for a model of this order, as lmplz would refuse them; undefined if nothing. */
export function pruneProblem(prune: readonly number[], order: number): string | undefined {
  if (prune.length === 0) return 'give one count threshold per order from unigrams up, e.g. [0, 1, 1]';
  if (prune.length > order) return `thresholds for orders 1 through ${prune.length}, but the model has order ${order}`;
  for (const [i, t] of prune.entries()) {
    if (!Number.isInteger(t) || t < 0) return `the order-${i + 1} threshold must be a whole number ≥ 0`;
    if (i > 0 && t < prune[i - 1]!)
      return 'thresholds must not decrease from one order to the next (lmplz: otherwise substrings of kept n-grams would be removed)';
  }
  if (prune[0] !== 0) return 'the unigram threshold must be 0 (pruning unigrams would change the vocabulary); prune from bigrams up, e.g. [0, 1, 1]';
  return undefined;
}

/**
 * Which n-grams survive the thresholds, from the occurrence counts of `counted` (before Kneser-Ney adjusts
 * them). Undefined when nothing is pruned. Unigrams always stay (the vocabulary, with `<s>`, `</s>` and
 * `<unk>`, which KenLM never prunes either). With non-decreasing thresholds a kept n-gram's context and
 * back-off n-gram occur at least as often, so they are kept already; `closeKept` makes sure of it.
 */
export function countPruned(counted: NgramCounts, thresholds: readonly number[]): KeptNgrams | undefined {
  if (thresholds.every((t) => t === 0)) return undefined;
  const { trie, counts } = counted;
  const keep: Uint8Array[] = [new Uint8Array(trie.vocabSize).fill(1)];
  for (let k = 2; k <= trie.order; k++) {
    const c = counts[k - 1]!;
    const t = thresholds[k - 1]!;
    const own = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) own[i] = c[i]! > t ? 1 : 0;
    keep.push(own);
  }
  closeKept(trie, counted.suffixes, keep);
  return keep;
}

/**
 * The rule of a pruned order: a dropped word's α(w | h) becomes 0 and, in an interpolated model, joins
 * γ(h), where the lower order gives it back in the lower order's proportions (KenLM's "normalizer" in
 * AddRight). In a back-off model it is simply unseen; the back-off weight then spreads the freed mass.
 * Unigrams are never pruned.
 */
export function prunedRule(rule: ContextRule, keep: Uint8Array | undefined, composition: Composition): ContextRule {
  if (!keep) return rule;
  return (h, first, end, alpha) => {
    let gamma = rule(h, first, end, alpha);
    let kept = 0;
    for (let i = first; i < end; i++) {
      if (keep[i]) {
        kept++;
        continue;
      }
      if (composition === 'interpolated') gamma += alpha[i - first]!;
      alpha[i - first] = 0;
    }
    // Every continuation dropped: h is the lower order exactly, b(h) = 1 (KenLM's γ = Σ c / Σ c), not 1 − ε.
    return kept === 0 && composition === 'interpolated' ? 1 : gamma;
  };
}
