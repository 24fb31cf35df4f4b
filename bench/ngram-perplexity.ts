import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { ngramPlugin } from '../models/ngram/plugin.ts';
import type { Protocol } from '../models/types.ts';

/**
 * Valid and test perplexity of the n-gram family on the Brown split (Bengio et al. 2003), orders 2–5:
 * add-1 and every smoothing the plug-in estimates. Usage: npx tsx bench/ngram-perplexity.ts [stream] [--orders 3,5]
 */
const mode: Protocol = process.argv.includes('stream') ? 'stream' : 'sentence';
const ordersAt = process.argv.indexOf('--orders');
const orders = ordersAt > 0 ? process.argv[ordersAt + 1]!.split(',').map(Number) : [2, 3, 4, 5];
const corpus = encodeCorpus(loadCorpus('brown'));
const rows: Record<string, string | number>[] = [];
const smoothings = ['add-k', 'witten-bell', 'absolute-discounting', 'katz', 'jelinek-mercer', 'kn-backoff', 'mkn-backoff', 'kn', 'mkn'] as const;
for (const smoothing of smoothings) {
  for (const order of orders) {
    const model = ngramPlugin.create({ order, smoothing }, corpus.vocab);
    const report = await trainModel(model, corpus, { seed: 1, mode });
    const valid = evaluate(model.scorer(), corpus.valid, { mode });
    const test = evaluate(model.scorer(), corpus.test, { mode });
    rows.push({
      smoothing: smoothing === 'add-k' ? 'add-1' : smoothing,
      order,
      'train s': Number(report.seconds.toFixed(2)),
      'valid ppl': Number(valid.perplexity.toFixed(2)),
      'test ppl': Number(test.perplexity.toFixed(2)),
      'test ppl w/o <unk>': Number(test.perplexityWithoutUnk.toFixed(2)),
    });
  }
}
console.log(
  `Brown, ${mode} mode: train ${corpus.train.tokens.length} words, valid ${corpus.valid.tokens.length}, test ${corpus.test.tokens.length}, |V| = ${corpus.vocab.size}`,
);
console.table(rows);
