/**
 * The bigram example with a bug: it divides by c(v) + |V| where <s> (never predicted) should not count, so its
 * distributions sum to a little less than 1. `check` must fail it, naming the normalisation property.
 */
import { definePlugin, z } from 'perplexity-bench';
import { BigramModel, countsOf } from '../bigram/bigram.ts';

class UnnormalisedBigram extends BigramModel {
  override readonly plugin = 'bigram-broken';

  protected override denominator(total: number): number {
    return total + this.vocab.size;
  }
}

export default definePlugin({
  name: 'bigram-broken',
  family: 'bigram',
  familyLabel: 'add-one bigram',
  description: 'The add-one bigram example with an unnormalised distribution (for the conformance kit to catch).',
  schema: z.strictObject({}),
  contextLength: () => 1,
  create: (_hp, vocab) => new UnnormalisedBigram(vocab),
  fromCheckpoint: (data, _hp, vocab) => new UnnormalisedBigram(vocab, countsOf(data, vocab)),
});
