import { describe, expect, it } from 'vitest';
import { BOS_ID, EOS_ID } from '../../corpora/vocabulary.ts';
import { evaluate } from '../../harness/metrics.ts';
import { countNgrams, markedTokens } from '../../models/ngram/counting.ts';
import { ids, tinyCorpus, trainNgram } from './helpers.ts';

const corpus = tinyCorpus(['a b', 'a b', 'b a', 'c']);
const [a, b, c] = ids(corpus, 'a b c') as [number, number, number];

describe('stream mode', () => {
  it('reads the training split as one stream <s> w… </s> w… </s> …', () => {
    expect(Array.from(markedTokens(corpus.train, 'stream'))).toEqual([BOS_ID, a, b, EOS_ID, a, b, EOS_ID, b, a, EOS_ID, c, EOS_ID]);
    expect(Array.from(markedTokens(corpus.train, 'sentence'))).toEqual([BOS_ID, a, b, EOS_ID, BOS_ID, a, b, EOS_ID, BOS_ID, b, a, EOS_ID, BOS_ID, c, EOS_ID]);
  });

  it('counts n-grams across sentence boundaries, and not in sentence mode', async () => {
    const stream = await trainNgram(corpus, { order: 3, smoothing: 'mle' }, 'stream');
    const sentence = await trainNgram(corpus, { order: 3, smoothing: 'mle' }, 'sentence');
    expect(stream.tables.trie.find([EOS_ID, a])).toBeGreaterThanOrEqual(0);
    expect(stream.tables.trie.find([b, EOS_ID, b])).toBeGreaterThanOrEqual(0);
    expect(sentence.tables.trie.find([EOS_ID, a])).toBe(-1);
    // One <s> in the stream; four in sentence mode, each starting n-grams with their occurrence counts.
    const counted = countNgrams(markedTokens(corpus.train, 'sentence'), 2, corpus.vocab.size);
    expect(counted.counts[1]![sentence.tables.trie.find([BOS_ID, a])]).toBe(2);
    expect(counted.counts[0]![BOS_ID]).toBe(0);
  });

  it('scores the stream with histories that cross sentences (MLE by hand)', async () => {
    const model = await trainNgram(corpus, { order: 2, smoothing: 'mle' }, 'stream');
    // Stream bigrams: <s> a 1, a b 2, a </s> 1, b </s> 2, b a 1, </s> a 1, </s> b 1, </s> c 1, c </s> 1.
    // Predicting the training stream: a|<s> 1, b|a 2/3, </s>|b 2/3, a|</s> 1/3, b|a 2/3, </s>|b 2/3,
    // b|</s> 1/3, a|b 1/3, </s>|a 1/3, c|</s> 1/3, </s>|c 1.
    const m = evaluate(model.scorer(), corpus.train, { mode: 'stream' });
    expect(m.tokens).toBe(11);
    expect(m.logprob).toBeCloseTo(4 * Math.log(2 / 3) + 5 * Math.log(1 / 3), 12);
    // The same text in sentence mode restarts at <s>, which the stream only saw followed by a: the
    // sentences "b a" and "c" start with probability 0.
    expect(evaluate(model.scorer(), corpus.train, { mode: 'sentence' }).zeroProbability).toBe(2);
  });
});
