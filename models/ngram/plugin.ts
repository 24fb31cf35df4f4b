import { z } from 'zod';
import { UserError } from '../../errors/user-error.ts';
import { listOption } from '../list-option.ts';
import { definePlugin } from '../plugin.ts';
import { pruneProblem } from './count-pruning.ts';
import { NgramModel, type NgramInfo } from './model.ts';
import { packedFromArrays, quantisationFromMeta } from './packed-tables.ts';
import { QUANTISATION_BITS, quantisationIssues } from './quantisation.ts';
import { tablesFromArrays } from './tables.ts';

/** Highest n-gram order the plug-in accepts. */
export const MAX_ORDER = 10;

const discount = (max: number) => z.number().min(0).max(max);

const SMOOTHINGS = ['mle', 'add-k', 'kn', 'mkn', 'kn-backoff', 'mkn-backoff', 'witten-bell', 'absolute-discounting', 'katz', 'jelinek-mercer', 'arpa'] as const;

/** The smoothings whose discounts are estimated from count-of-counts and can fall back to fixed ones. */
const DISCOUNTED: readonly string[] = ['kn', 'mkn', 'kn-backoff', 'mkn-backoff', 'absolute-discounting', 'katz'];

export const ngramSchema = z
  .strictObject({
    order: z.number().int().min(1).max(MAX_ORDER).default(3).describe('n-gram order N (a history of N−1 tokens)'),
    smoothing: z
      .enum(SMOOTHINGS)
      .default('mkn')
      .describe(
        'mle, add-k, interpolated Kneser-Ney (kn) or modified Kneser-Ney (mkn, as KenLM lmplz), their back-off forms (kn-backoff, mkn-backoff), witten-bell, absolute-discounting, katz, jelinek-mercer (λ fitted on valid); arpa is read, not trained',
      ),
    k: z.number().positive().max(1e6).optional().describe("add-k's k, only with smoothing add-k (default 1: Laplace)"),
    discount: z
      .union([discount(1e6), listOption(z.array(discount(1e6)).min(1).max(MAX_ORDER), '0.5,0.7')])
      .optional()
      .describe('absolute-discounting: a fixed D for every order, or one per order from unigrams up (the last repeated); unset = n1 / (n1 + 2 n2) per order'),
    gtMax: z
      .number()
      .int()
      .min(1)
      .max(20)
      .optional()
      .describe("katz: counts above this keep their value, the others are Good-Turing discounted (default 5, Chen & Goodman's k)"),
    buckets: z
      .number()
      .int()
      .min(1)
      .max(32)
      .optional()
      .describe('jelinek-mercer: λ per order and bucket ⌊log2 c(h •)⌋ of the history count, fitted on the valid split by EM (default 1: one λ per order)'),
    lambdas: listOption(z.array(z.number().gt(0).lt(1)).min(1).max(MAX_ORDER), '0.5,0.6,0.7')
      .optional()
      .describe('jelinek-mercer: fixed λ per order from unigrams up (the last repeated) instead of EM on the valid split'),
    prune: listOption(z.array(z.number().int().min(0)).min(1).max(MAX_ORDER), '0,1,1')
      .optional()
      .describe(
        "count pruning as KenLM's lmplz --prune: one threshold per order from unigrams up (the last repeated), an n-gram occurring at most that often is dropped and its mass given to the lower order; non-decreasing, the first 0 (e.g. 0,1,1)",
      ),
    entropyPrune: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "relative-entropy pruning (Stolcke 1998, SRILM's -prune θ): drop each n-gram whose removal raises perplexity by less than θ relative (e.g. 1e-7), after any count pruning; back-off weights recomputed",
      ),
    probBits: z
      .number()
      .int()
      .min(QUANTISATION_BITS.prob.min)
      .max(QUANTISATION_BITS.prob.max)
      .optional()
      .describe(
        "quantise log10 p of the orders ≥ 2 to this many bits, as KenLM's build_binary -q (8 as -q 8): per order 2^bits centres, the means of equal-count bins; unigrams stay floats; unset = floats. Not normalised exactly (neither is KenLM's)",
      ),
    backoffBits: z
      .number()
      .int()
      .min(QUANTISATION_BITS.backoff.min)
      .max(QUANTISATION_BITS.backoff.max)
      .optional()
      .describe("with probBits: bits of the quantised log10 back-off weights, as KenLM's -b (default probBits; two codes are the exact 0)"),
    // Unset means "fall back where needed" (see discounting.ts), so that the defaults train on any corpus, the toys
    // included; where the estimate works the fallback is never used, so results are lmplz's either way.
    discountFallback: z
      .union([z.boolean(), z.tuple([discount(1), discount(2), discount(3)])])
      .optional()
      .describe(
        "kn/mkn discounts for an order whose own cannot be estimated (tiny text): true or unset = KenLM's --discount_fallback 0.5, 1, 1.5, [D1, D2, D3+] = these, false = fail instead",
      ),
  })
  .superRefine((hp, ctx) => {
    if (hp.k !== undefined && hp.smoothing !== 'add-k') {
      ctx.addIssue({ code: 'custom', path: ['k'], message: `applies to smoothing "add-k", not "${hp.smoothing}"` });
    }
    if (hp.discountFallback !== undefined && !DISCOUNTED.includes(hp.smoothing)) {
      ctx.addIssue({
        code: 'custom',
        path: ['discountFallback'],
        message: `applies to smoothing ${DISCOUNTED.map((s) => `"${s}"`).join(', ')}, not "${hp.smoothing}"`,
      });
    }
    if (hp.discount !== undefined && hp.smoothing !== 'absolute-discounting') {
      ctx.addIssue({ code: 'custom', path: ['discount'], message: `applies to smoothing "absolute-discounting", not "${hp.smoothing}"` });
    }
    for (const option of ['buckets', 'lambdas'] as const) {
      if (hp[option] !== undefined && hp.smoothing !== 'jelinek-mercer') {
        ctx.addIssue({ code: 'custom', path: [option], message: `applies to smoothing "jelinek-mercer", not "${hp.smoothing}"` });
      }
    }
    if (hp.lambdas !== undefined && hp.buckets !== undefined && hp.buckets > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['lambdas'],
        message: 'gives one λ per order; it cannot be combined with "buckets" above 1 (EM fits one λ per bucket)',
      });
    }
    const unsmoothed = hp.smoothing === 'mle' || hp.smoothing === 'add-k' || hp.smoothing === 'arpa';
    for (const option of ['prune', 'entropyPrune'] as const) {
      if (hp[option] !== undefined && unsmoothed) {
        ctx.addIssue({
          code: 'custom',
          path: [option],
          message: `applies to the smoothed back-off models (kn, mkn, witten-bell, katz, …), not "${hp.smoothing}"`,
        });
      }
    }
    const pruneIssue = hp.prune !== undefined && !unsmoothed ? pruneProblem(hp.prune, hp.order) : undefined;
    if (pruneIssue) ctx.addIssue({ code: 'custom', path: ['prune'], message: pruneIssue });
    for (const issue of quantisationIssues(hp)) ctx.addIssue({ code: 'custom', ...issue });
    if (hp.gtMax !== undefined && hp.smoothing !== 'katz') {
      ctx.addIssue({ code: 'custom', path: ['gtMax'], message: `applies to smoothing "katz", not "${hp.smoothing}"` });
    }
  });

/**
 * The kit's allowance for a quantised case: 8-bit codes round each log10 p and b by up to half a bin, so Σp
 * is off 1 by about a percent (measured on the kit's corpora: see the README's Quantisation section), and each
 * value is a byte, not a float.
 */
const QUANTISED_CONFORMANCE = { normalisationTolerance: 0.05, bytesPerParameter: 1 } as const;

export const ngramPlugin = definePlugin({
  name: 'ngram',
  family: 'ngram',
  familyLabel: 'n-gram',
  contextLength: (hp) => hp.order - 1,
  contextParameter: 'order',
  description:
    'Count-based n-gram models: mle, add-k (Laplace), interpolated Kneser-Ney (kn) and modified Kneser-Ney (mkn, as KenLM lmplz estimates it) and their back-off forms, Witten-Bell, absolute discounting, Katz back-off with Good-Turing, Jelinek-Mercer; reads and writes ARPA files.',
  schema: ngramSchema,
  // The toys are too small for Kneser-Ney discounts of their own (a count-of-counts is zero): the fallback is used.
  conformance: [
    { hyperParameters: { order: 3, smoothing: 'mkn', discountFallback: true } },
    { hyperParameters: { order: 5, smoothing: 'mkn', discountFallback: true } },
    { hyperParameters: { order: 3, smoothing: 'kn', discountFallback: true } },
    { hyperParameters: { order: 2, smoothing: 'add-k', k: 0.5 } },
    { hyperParameters: { order: 3, smoothing: 'mle' }, smoothed: false },
    { hyperParameters: { order: 3, smoothing: 'witten-bell' } },
    { hyperParameters: { order: 4, smoothing: 'absolute-discounting', discountFallback: true } },
    { hyperParameters: { order: 3, smoothing: 'katz', discountFallback: true } },
    { hyperParameters: { order: 3, smoothing: 'kn-backoff', discountFallback: true } },
    { hyperParameters: { order: 4, smoothing: 'mkn-backoff', discountFallback: true } },
    { hyperParameters: { order: 3, smoothing: 'jelinek-mercer' } },
    { hyperParameters: { order: 4, smoothing: 'jelinek-mercer', buckets: 4 } },
    { hyperParameters: { order: 4, smoothing: 'mkn', discountFallback: true, prune: [0, 1, 1] } },
    { hyperParameters: { order: 3, smoothing: 'kn-backoff', discountFallback: true, prune: [0, 1] } },
    { hyperParameters: { order: 3, smoothing: 'witten-bell', prune: [0, 1, 2] } },
    { hyperParameters: { order: 3, smoothing: 'mkn', discountFallback: true, entropyPrune: 1e-3 } },
    { hyperParameters: { order: 4, smoothing: 'katz', discountFallback: true, prune: [0, 0, 1], entropyPrune: 1e-4 } },
    // Quantised models are not normalised (nor are KenLM's -q/-b binaries): Σp is off by what the codes round.
    { hyperParameters: { order: 4, smoothing: 'mkn', discountFallback: true, probBits: 8, backoffBits: 8 }, ...QUANTISED_CONFORMANCE },
    { hyperParameters: { order: 3, smoothing: 'kn-backoff', discountFallback: true, prune: [0, 1], probBits: 8 }, ...QUANTISED_CONFORMANCE },
  ],
  create: (hp, vocab) => new NgramModel(hp, vocab),
  fromCheckpoint: (data, hp, vocab) => {
    const meta = data.meta as { kind?: unknown; order?: unknown; quantisation?: unknown } & NgramInfo;
    if (
      typeof meta !== 'object' ||
      meta === null ||
      (meta.kind !== 'backoff' && meta.kind !== 'counts' && meta.kind !== 'packed') ||
      typeof meta.order !== 'number' ||
      !Number.isInteger(meta.order) ||
      meta.order < 1
    ) {
      throw new UserError('ngram checkpoint: meta does not say which tables it holds');
    }
    const { kind, order, quantisation, ...info } = meta;
    if (kind !== 'packed') return new NgramModel(hp, vocab, tablesFromArrays(kind, order, vocab.size, data.arrays), info);
    return new NgramModel(hp, vocab, packedFromArrays(order, vocab.size, data.arrays, quantisationFromMeta(quantisation)), info);
  },
});
