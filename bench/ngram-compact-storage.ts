import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCorpus } from '../corpora/corpus.ts';
import { loadCorpus } from '../corpora/load.ts';
import { evaluate } from '../harness/metrics.ts';
import { trainModel } from '../harness/train.ts';
import { writeArpa } from '../models/ngram/arpa-write.ts';
import { BackoffScorer } from '../models/ngram/backoff-scorer.ts';
import { FloatValues } from '../models/ngram/backoff-values.ts';
import type { NgramModel } from '../models/ngram/model.ts';
import { ngramPlugin } from '../models/ngram/plugin.ts';
import { type BackoffTables, tableBytes } from '../models/ngram/tables.ts';
import type { Scorer } from '../models/types.ts';

/**
 * Bytes per n-gram and test perplexity of modified Kneser-Ney on full Brown (the Bengio et al. split), orders 3
 * and 5: the plain arrays (int32 words, uint32 offsets, float32 values), the bit-packed trie the scorer uses,
 * and the packed trie with 8-bit quantised values (probBits 8, backoffBits 8); beside KenLM's build_binary trie
 * and `-q 8 -b 8` trie of our exported ARPA file of the same model, scored by its query (file size per n-gram,
 * perplexity). Then scoring speed, plain against packed against quantised, in interleaved rounds.
 * Usage: npx tsx bench/ngram-compact-storage.ts [--orders 3,5] [--rounds 5] [--kenlm /tmp/kenlm/bin]
 */
const flag = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1]! : fallback;
};
const orders = flag('--orders', '3,5').split(',').map(Number);
const rounds = Number(flag('--rounds', '5'));
const kenlm = flag('--kenlm', '/tmp/kenlm/bin');
const corpus = encodeCorpus(loadCorpus('brown'));
const work = mkdtempSync(join(tmpdir(), 'compact-storage-'));
const testText = join(work, 'test.txt');
const sentences: string[] = [];
for (let s = 0; s + 1 < corpus.test.starts.length; s++) {
  sentences.push(Array.from(corpus.test.tokens.subarray(corpus.test.starts[s]!, corpus.test.starts[s + 1]!), (t) => corpus.vocab.word(t)).join(' '));
}
writeFileSync(testText, `${sentences.join('\n')}\n`);

const perplexity = (scorer: Scorer): number => evaluate(scorer, corpus.test, { mode: 'sentence' }).perplexity;
const fixed = (x: number, digits: number): number => Number(x.toFixed(digits));

/** KenLM's build_binary `args` trie of `arpa`: its file size and query's perplexity (including OOVs) on the test text. */
function kenlmTrie(arpa: string, args: string[], name: string): { bytes: number; perplexity: number } {
  const binary = join(work, name);
  execFileSync(`${kenlm}/build_binary`, [...args, 'trie', arpa, binary], { stdio: 'ignore' });
  const out = execFileSync(`${kenlm}/query`, ['-v', 'summary', binary], {
    input: `${sentences.join('\n')}\n`,
    maxBuffer: 1 << 28,
    stdio: ['pipe', 'pipe', 'ignore'],
  }).toString();
  return { bytes: statSync(binary).size, perplexity: Number(/Perplexity including OOVs:\s+(\S+)/.exec(out)![1]) };
}

const rows: Record<string, string | number>[] = [];
const speed: { order: number; plain: number[]; packed: number[]; quantised: number[] }[] = [];
for (const order of orders) {
  const train = async (hp: Record<string, unknown>): Promise<NgramModel> => {
    const model = ngramPlugin.create({ order, smoothing: 'mkn', ...hp }, corpus.vocab) as NgramModel;
    await trainModel(model, corpus, { seed: 1, mode: 'sentence' });
    return model;
  };
  const packed = await train({});
  const quantised = await train({ probBits: 8, backoffBits: 8 });
  const ngrams = packed.ngramCounts().reduce((a, b) => a + b, 0);
  const tables = packed.tables as BackoffTables;
  const plainScorer = (): Scorer => new BackoffScorer(tables.trie, new FloatValues(tables.logProb, tables.logBackoff));
  const arpa = join(work, `order${order}.arpa`);
  writeArpa(packed, arpa);
  const theirs = kenlmTrie(arpa, [], `order${order}.bin`);
  const theirsQuantised = kenlmTrie(arpa, ['-q', '8', '-b', '8'], `order${order}.q8b8.bin`);
  const exact = perplexity(packed.scorer());
  const row = (storage: string, bytes: number, ppl: number): Record<string, string | number> => ({
    order,
    storage,
    'n-grams': ngrams,
    bytes,
    'bytes/n-gram': fixed(bytes / ngrams, 2),
    'test ppl': fixed(ppl, 3),
    'ppl cost': `${((ppl / exact - 1) * 100).toFixed(2)}%`,
  });
  rows.push(row('ours: plain arrays', tableBytes(tables), perplexity(plainScorer())));
  rows.push(row('ours: packed trie', packed.byteSize(), exact));
  rows.push(row('ours: packed, probBits 8, backoffBits 8', quantised.byteSize(), perplexity(quantised.scorer())));
  rows.push(row('KenLM build_binary trie (file)', theirs.bytes, theirs.perplexity));
  rows.push(row('KenLM build_binary -q 8 -b 8 trie (file)', theirsQuantised.bytes, theirsQuantised.perplexity));

  // Scoring speed: the test split scored by each, interleaved (plain, packed, quantised) × rounds.
  const timing = { order, plain: [] as number[], packed: [] as number[], quantised: [] as number[] };
  const tokens = corpus.test.tokens.length + corpus.test.starts.length - 1;
  const time = (scorer: Scorer): number => {
    // Three passes a measurement: one pass is ~0.1 s, too short for this machine's noise.
    const start = performance.now();
    for (let pass = 0; pass < 3; pass++) evaluate(scorer, corpus.test, { mode: 'sentence' });
    return (3 * tokens) / ((performance.now() - start) / 1000);
  };
  for (let r = 0; r < rounds; r++) {
    timing.plain.push(time(plainScorer()));
    timing.packed.push(time(packed.scorer()));
    timing.quantised.push(time(quantised.scorer()));
  }
  speed.push(timing);
}
rmSync(work, { recursive: true, force: true });

console.log(
  `Brown (Bengio split), mkn, sentence mode: train ${corpus.train.tokens.length} words, test ${corpus.test.tokens.length}, |V| = ${corpus.vocab.size}`,
);
console.table(rows);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`Scoring speed, ${rounds} interleaved rounds: median ratio to the plain arrays (min–max of the per-round ratios)`);
console.table(
  speed.map((t) => {
    const ratios = (xs: number[]): number[] => xs.map((x, i) => x / t.plain[i]!);
    const show = (xs: number[]): string => `${median(ratios(xs)).toFixed(3)} (${Math.min(...ratios(xs)).toFixed(3)}–${Math.max(...ratios(xs)).toFixed(3)})`;
    return { order: t.order, 'plain tokens/s (median)': Math.round(median(t.plain)), packed: show(t.packed), quantised: show(t.quantised) };
  }),
);
