import { encodeSentences } from './corpora/corpus.ts';
import { readLines, tokenize } from './corpora/text-file.ts';
import { evaluate } from './harness/metrics.ts';
import { readArpa } from './models/ngram/arpa-read.ts';
const dir = 'test/fixtures/kenlm/open/';
for (const q of [undefined, { probBits: 8, backoffBits: 8 }]) {
  const { model, vocab } = readArpa(`${dir}order3.arpa.gz`, q ? { quantisation: q } : {});
  const test = encodeSentences(
    readLines(`${dir}test.txt`).map((l) => tokenize(l, 'word')),
    vocab,
    'word',
  );
  const per = new Float64Array(20000);
  const m = evaluate(model.scorer(), test, { mode: 'sentence', perToken: per });
  console.log(
    q,
    m.perplexity,
    m.perplexityWithoutUnk,
    model.byteSize(),
    model.ngramCounts(),
    Array.from(per.slice(0, 8), (x) => x / Math.LN10),
  );
}
