import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeCorpus, type EncodedSplit } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import type { Vocabulary } from '../corpora/vocabulary.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { NgramModel } from '../models/ngram/model.ts';

/**
 * The count-pruning ladder on Brown (Bengio et al. 2003 split), ours beside KenLM's: for each order and
 * `--prune` thresholds, the n-grams kept, the bytes of the model (ours in memory; KenLM's trie file from
 * build_binary, plain and with -q 8 -b 8) and the test perplexity (ours; KenLM's query on the same text).
 * Both train on the same text files: the split after the rare-word mapping, `<unk>` written `@@UNK@@`
 * (lmplz refuses a literal `<unk>`), so the mapped token is an ordinary word to both.
 * Usage: npx tsx bench/ngram-prune-ladder.ts [KENLM_BIN=/tmp/kenlm/bin] [--out bench/results/prune-ladder.md]
 */
const bin = process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : '/tmp/kenlm/bin';
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1]! : 'bench/results/prune-ladder.md';
const work = '/tmp/prune-ladder';
mkdirSync(work, { recursive: true });

const brown = encodeCorpus(loadCorpus('brown'));
const writeSplit = (name: string, split: EncodedSplit, vocab: Vocabulary): string => {
  const lines: string[] = [];
  for (let s = 0; s + 1 < split.starts.length; s++) {
    const words: string[] = [];
    for (let i = split.starts[s]!; i < split.starts[s + 1]!; i++) {
      const w = vocab.word(split.tokens[i]!);
      words.push(w === '<unk>' ? '@@UNK@@' : w);
    }
    lines.push(words.join(' '));
  }
  const path = join(work, `${name}.txt`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const files = (['train', 'valid', 'test'] as const).map((s) => writeSplit(s, brown[s], brown.vocab));
const corpus = encodeCorpus(loadCorpus(`files:${files.join(',')}`));

const LADDER: [number, number[]][] = [
  [3, [0]],
  [3, [0, 1]],
  [3, [0, 2]],
  [3, [0, 4]],
  [3, [0, 8]],
  [5, [0]],
  [5, [0, 0, 1]],
  [5, [0, 1]],
  [5, [0, 1, 2]],
  [5, [0, 2, 4]],
  [5, [0, 4, 8]],
];

interface KenlmRung {
  ngrams: number;
  trieBytes: number;
  quantBytes: number;
  perplexity: number;
  quantPerplexity: number;
}

const kenlm = (order: number, prune: number[]): KenlmRung => {
  const arpa = join(work, 'model.arpa');
  const log = execFileSync('bash', ['-c', `"${bin}/lmplz" -o ${order} --prune ${prune.join(' ')} -S 1G -T ${work} < ${files[0]} > ${arpa}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  void log;
  const head = execFileSync('bash', ['-c', `head -20 ${arpa}`], { encoding: 'utf8' });
  const ngrams = [...head.matchAll(/^ngram \d+=(\d+)$/gm)].reduce((s, m) => s + Number(m[1]), 0);
  const trie = join(work, 'model.trie');
  const quant = join(work, 'model.q8b8');
  execFileSync(`${bin}/build_binary`, ['trie', arpa, trie], { stdio: 'ignore' });
  execFileSync(`${bin}/build_binary`, ['-q', '8', '-b', '8', 'trie', arpa, quant], { stdio: 'ignore' });
  const perplexityOf = (binary: string): number => {
    const summary = execFileSync('bash', ['-c', `"${bin}/query" -v summary ${binary} < ${files[2]}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return Number(/Perplexity including OOVs:\s*(\S+)/.exec(summary)![1]);
  };
  return { ngrams, trieBytes: statSync(trie).size, quantBytes: statSync(quant).size, perplexity: perplexityOf(trie), quantPerplexity: perplexityOf(quant) };
};

const rows: string[] = [];
for (const [order, prune] of LADDER) {
  const model = new NgramModel({ order, smoothing: 'mkn', prune }, corpus.vocab);
  await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
  const ours = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
  const ngrams = model.ngramCounts().reduce((a, b) => a + b, 0);
  const theirs = kenlm(order, prune);
  const bytes = model.byteSize();
  const quantised = new NgramModel({ order, smoothing: 'mkn', prune, probBits: 8, backoffBits: 8 }, corpus.vocab);
  await trainModel(quantised, corpus, { seed: 1, mode: 'sentence' });
  const q = evaluate(quantised.scorer(), corpus.test, { mode: 'sentence' });
  const size = (b: number, n: number): string => `${(b / 2 ** 20).toFixed(2)} (${(b / n).toFixed(1)})`;
  rows.push(
    `| ${order} | ${prune.join(' ')} | ${ngrams.toLocaleString('en')} | ${theirs.ngrams.toLocaleString('en')} | ${size(bytes, ngrams)} | ${size(theirs.trieBytes, theirs.ngrams)} | ` +
      `${ours.perplexity.toFixed(3)} | ${theirs.perplexity.toFixed(3)} | ${(ours.perplexity / theirs.perplexity - 1).toExponential(1)} | ` +
      `${size(quantised.byteSize(), ngrams)} | ${size(theirs.quantBytes, theirs.ngrams)} | ${q.perplexity.toFixed(3)} | ${theirs.quantPerplexity.toFixed(3)} |`,
  );
  console.log(rows.at(-1));
}
// Relative-entropy pruning (Stolcke 1998) has no peer here (SRILM is not packaged by Debian): ours alone.
const entropyRows: string[] = [];
for (const smoothing of ['mkn', 'katz'] as const) {
  for (const order of [3, 5]) {
    for (const theta of [0, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6]) {
      const model = new NgramModel({ order, smoothing, ...(theta ? { entropyPrune: theta } : {}) }, corpus.vocab);
      await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
      const ours = evaluate(model.scorer(), corpus.test, { mode: 'sentence' });
      const ngrams = model.ngramCounts().reduce((a, b) => a + b, 0);
      entropyRows.push(
        `| ${smoothing} | ${order} | ${theta ? theta.toExponential(0) : '—'} | ${ngrams.toLocaleString('en')} | ${(model.byteSize() / 2 ** 20).toFixed(2)} | ${ours.perplexity.toFixed(3)} |`,
      );
      console.log(entropyRows.at(-1));
    }
  }
}
const table = [
  `Count pruning on Brown (train ${corpus.train.tokens.length.toLocaleString('en')} words, |V| = ${corpus.vocab.size}), modified Kneser-Ney, sentence mode, test perplexity including <unk>.`,
  'Ours: `ngram` with `prune` (and `probBits` 8, `backoffBits` 8), bytes of the packed trie the scorer reads; KenLM 4cb443e: `lmplz -o N --prune …`, `build_binary trie` (and `-q 8 -b 8`) file sizes (they include the vocabulary), `query`. MB (bytes per n-gram).',
  '',
  '| order | prune | n-grams (ours) | n-grams (KenLM) | ours MB (B/n-gram) | KenLM trie MB (B/n-gram) | ours ppl | KenLM ppl | rel. diff | ours 8/8 MB (B/n-gram) | KenLM -q 8 -b 8 MB (B/n-gram) | ours 8/8 ppl | KenLM -q 8 -b 8 ppl |',
  '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows,
  '',
  'Relative-entropy pruning (`entropyPrune` θ, Stolcke 1998), ours (SRILM, the peer for it, is not packaged by Debian):',
  '',
  '| smoothing | order | θ | n-grams | MB | test ppl |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...entropyRows,
  '',
  `Made by \`npx tsx bench/ngram-prune-ladder.ts\` on ${new Date().toISOString().slice(0, 10)}.`,
].join('\n');
writeFileSync(out, `${table}\n`);
console.log(table);
