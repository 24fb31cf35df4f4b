import { parseArgs } from 'node:util';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { EOS_ID } from '../corpora/vocabulary.ts';
import { streamSegments } from '../models/rnn/batches.ts';
import { classesForTraining } from '../numerics/output/options.ts';

/**
 * Issue 14 §1: how much of the row-sparse tables one recurrent training step touches at the Brown vocabulary
 * (what `SparseAdam`, zeroing and the gradient norm can skip): the share of the classes the batch's targets reach,
 * of the class output's word rows in those classes (classes of one word have no gradient), and of the embedding
 * rows the batch's inputs look up. Means over the first `--batches` stream batches.
 *
 *   npx tsx bench/touched-rows.ts [--batch 32] [--bptt 35] [--batches 200] [--classes 0] [--class-binning sqrt|unigram]
 */
const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '32' },
    bptt: { type: 'string', default: '35' },
    batches: { type: 'string', default: '200' },
    classes: { type: 'string', default: '0' },
    'class-binning': { type: 'string', default: 'sqrt' },
  },
});
const binning = values['class-binning'];
if (binning !== 'sqrt' && binning !== 'unigram') throw new Error('--class-binning is sqrt or unigram');

const corpus = encodeCorpus(loadCorpus('brown'));
const V = corpus.vocab.size;
const classes = classesForTraining(
  { output: 'class', classes: Number(values.classes), classBinning: binning },
  V,
  corpus.train.tokens,
  EOS_ID,
  corpus.train.starts.length - 1,
);
const segments = streamSegments(corpus.train, Number(values.batch), Number(values.bptt)).slice(0, Number(values.batches));
let classShare = 0;
let wordShare = 0;
let embeddingShare = 0;
for (const s of segments) {
  const reached = new Set<number>();
  for (const t of s.targets) if (t >= 0) reached.add(classes.classOf[t]!);
  let words = 0;
  for (const c of reached) {
    const size = classes.starts[c + 1]! - classes.starts[c]!;
    if (size > 1) words += size;
  }
  classShare += reached.size / classes.numClasses;
  wordShare += words / V;
  embeddingShare += new Set(s.inputs).size / V;
}
const pct = (x: number): string => `${((100 * x) / segments.length).toFixed(1)}%`;
console.log(
  `Brown, |V| = ${V}, ${classes.numClasses} classes (${binning}), batches of ${values.batch} × ${values.bptt}, mean over ${segments.length}: ` +
    `classes reached ${pct(classShare)}, word rows touched ${pct(wordShare)}, embedding rows touched ${pct(embeddingShare)}`,
);
