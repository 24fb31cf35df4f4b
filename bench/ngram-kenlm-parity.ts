import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encodeCorpus, encodeSentences } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { readLines, tokenize } from '../corpora/text-file.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { readArpa } from '../models/ngram/arpa-read.ts';
import { ngramPlugin } from '../models/ngram/plugin.ts';

/**
 * The KenLM reference perplexities (test/fixtures/kenlm, from lmplz -o N and query) beside ours: modified
 * Kneser-Ney estimated here from the same train.txt, and the ARPA file lmplz wrote read here where the
 * fixtures hold it (or a full copy of the reference set holds it: pass its folder).
 * Usage: npx tsx bench/ngram-kenlm-parity.ts [REFERENCE_DIR]
 */
const dir = fileURLToPath(new URL('../test/fixtures/kenlm/', import.meta.url));
const arpaDir = process.argv[2] ? `${process.argv[2].replace(/\/$/, '')}/` : dir;
const reference = JSON.parse(readFileSync(`${dir}perplexities.json`, 'utf8')) as Record<
  string,
  { perplexity_including_oov: number; perplexity_excluding_oov: number; oov: number }
>;
const rows: Record<string, string | number>[] = [];
const relative = (ours: number, theirs: number): string => (ours / theirs - 1).toExponential(1);
for (const [set, order] of [
  ['open', 2],
  ['open', 3],
  ['open', 5],
  ['closed', 3],
  ['closed', 5],
] as const) {
  const corpus = encodeCorpus(loadCorpus(`files:${dir}${set}/train.txt,${dir}${set}/test.txt,${dir}${set}/test.txt`));
  const model = ngramPlugin.create({ order, smoothing: 'mkn' }, corpus.vocab);
  await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
  const ours = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
  const ref = reference[`${set}/order${order}`]!;
  const row: Record<string, string | number> = {
    model: `${set} order ${order}`,
    'KenLM ppl': Number(ref.perplexity_including_oov.toFixed(4)),
    'ours ppl': Number(ours.perplexity.toFixed(4)),
    'rel. diff': relative(ours.perplexity, ref.perplexity_including_oov),
    'KenLM w/o OOV': Number(ref.perplexity_excluding_oov.toFixed(4)),
    'ours w/o <unk>': Number(ours.perplexityWithoutUnk.toFixed(4)),
    'rel. diff w/o': relative(ours.perplexityWithoutUnk, ref.perplexity_excluding_oov),
    OOV: `${ours.unk}/${ref.oov}`,
  };
  try {
    const { model: arpa, vocab } = readArpa(`${arpaDir}${set}/order${order}.arpa.gz`);
    const test = encodeSentences(
      readLines(`${dir}${set}/test.txt`).map((l) => tokenize(l, 'word')),
      vocab,
      'word',
    );
    row['ARPA read: rel. diff'] = relative(evaluate(arpa.scorer(), test, { mode: 'sentence' }).perplexity, ref.perplexity_including_oov);
  } catch {
    row['ARPA read: rel. diff'] = '(no ARPA file)';
  }
  rows.push(row);
}
console.table(rows);
