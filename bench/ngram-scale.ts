import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { brownCorpus } from '../corpora/brown.ts';
import { renderSvg } from '../harness/report/render.ts';
import { Random } from '../numerics/random.ts';
import type { JsonObject } from '../harness/report/style.ts';
import type { BenchTable } from './types.ts';

/**
 * Issue 15 §3: n-gram estimation at scale against KenLM, as whole processes on the same text. For each size
 * (millions of words) and each round, in turn: ours, `train --model ngram --order 5` of the built program
 * (dist/, as installed) on the text (reading
 * and tokenising it, building the vocabulary, estimating modified Kneser-Ney and saving the model with
 * --save; the valid split it also scores is 20,000 words), then KenLM's `lmplz -o 5 -S <our peak>M` on the
 * same text writing its ARPA file. Wall time and peak RSS from /usr/bin/time. The text is sampled (seeded)
 * from the maximum-likelihood trigram of Brown's train split, as ../shared/peers/sample-trigram-text.py
 * does, and cached under the system's temporary folder, never in the repository.
 *
 * Writes bench/results/ngram-scale.md (table and commands), ngram-scale.vl.json and ngram-scale.svg (time
 * and peak memory against words, log–log), and the table into REPORT/bench.json when a report folder is
 * there (the report's micro-benchmarks section shows it). A benchmark, not a test: CI does not run it.
 *
 * Usage: npx tsx bench/ngram-scale.ts [--sizes 3,10,30,100] [--rounds 3] [--cache DIR] [--report reports]
 *        [--kenlm /tmp/kenlm/bin] [--seed 1]
 */
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '3,10,30,100' },
    rounds: { type: 'string', default: '3' },
    cache: { type: 'string', default: join(tmpdir(), 'ngram-scale') },
    report: { type: 'string', default: 'reports' },
    kenlm: { type: 'string', default: '/tmp/kenlm/bin' },
    seed: { type: 'string', default: '1' },
    order: { type: 'string', default: '5' },
  },
});
const sizes = args.sizes.split(',').map(Number);
const rounds = Number(args.rounds);
const order = Number(args.order);
const seed = Number(args.seed);
if (sizes.some((s) => !(s > 0)) || !(rounds >= 1) || !(order >= 1))
  throw new Error('--sizes takes millions of words (3,10,30,100), --rounds and --order positive integers');
const lmplz = join(args.kenlm, 'lmplz');
if (!existsSync(lmplz)) throw new Error(`${lmplz}: not found; build KenLM with ../shared/peers/build-kenlm.sh (or pass --kenlm DIR)`);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cache = args.cache;
mkdirSync(cache, { recursive: true });
// The cached texts live in --cache; everything a round writes goes into a folder of the bench's own inside it
// (never over a user's files there), removed at the end.
const scratch = mkdtempSync(join(cache, 'round-'));

/**
 * The maximum-likelihood trigram of Brown's train split (sentences padded with <s> <s>, ending in </s>) as
 * arrays: the successors of each context (w1, w2) with their multiplicity, and for each successor the
 * context it leads to, so that sampling is a walk over arrays.
 */
function brownTrigram(): { start: Int32Array; word: Int32Array; next: Int32Array; words: Buffer[] } {
  const ids = new Map<string, number>();
  const words: Buffer[] = [Buffer.alloc(0), Buffer.alloc(0)]; // 0: <s>, 1: </s>
  const idOf = (w: string): number => {
    let id = ids.get(w);
    if (id === undefined) {
      id = words.push(Buffer.from(w, 'utf8')) - 1;
      ids.set(w, id);
    }
    return id;
  };
  const triples: [number, number, number][] = [];
  for (const s of brownCorpus().train) {
    const t = [0, 0, ...s.map(idOf), 1];
    for (let i = 2; i < t.length; i++) triples.push([t[i - 2]!, t[i - 1]!, t[i]!]);
  }
  triples.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const contextOf = new Map<number, number>();
  const V = words.length;
  const start: number[] = [];
  triples.forEach(([a, b], i) => {
    const key = a * V + b;
    if (!contextOf.has(key)) {
      contextOf.set(key, start.length);
      start.push(i);
    }
  });
  start.push(triples.length);
  const word = Int32Array.from(triples, (t) => t[2]);
  // After </s> a new sentence starts from (<s>, <s>), context 0.
  const next = Int32Array.from(triples, ([, b, c]) => (c === 1 ? 0 : contextOf.get(b * V + c)!));
  return { start: Int32Array.from(start), word, next, words };
}

/** Sentences sampled from the trigram until `target` words, one a line; returns the words written. */
function sampleText(path: string, target: number, s: number): number {
  const { start, word, next, words } = brownTrigram();
  const random = new Random(s);
  const fd = openSync(`${path}.tmp`, 'w');
  const out = Buffer.alloc(1 << 22);
  let used = 0;
  let written = 0;
  let context = 0;
  let inSentence = 0;
  while (written < target || inSentence > 0) {
    const lo = start[context]!;
    const j = lo + random.int(start[context + 1]! - lo);
    const w = word[j]!;
    context = next[j]!;
    if (used + 1024 > out.length) {
      writeSync(fd, out, 0, used);
      used = 0;
    }
    if (w === 1) {
      if (inSentence > 0) out[used++] = 0x0a;
      inSentence = 0;
      continue;
    }
    if (inSentence > 0) out[used++] = 0x20;
    used += words[w]!.copy(out, used);
    inSentence++;
    written++;
  }
  writeSync(fd, out, 0, used);
  closeSync(fd);
  renameSync(`${path}.tmp`, path);
  return written;
}

/** The cached text of `millions` words (generated once per size and seed) and its word count. */
function textOf(millions: number, s: number): { path: string; words: number } {
  const path = join(cache, `brown-trigram-random-seed${s}-${millions}M.txt`);
  const meta = `${path}.json`;
  if (!existsSync(path) || !existsSync(meta)) {
    const t = performance.now();
    const words = sampleText(path, Math.round(millions * 1e6), s);
    writeFileSync(meta, JSON.stringify({ words }));
    console.log(`sampled ${words} words into ${path} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return { path, words: (JSON.parse(readFileSync(meta, 'utf8')) as { words: number }).words };
}

interface Measured {
  seconds: number;
  peakMB: number;
}

/** Run a command under /usr/bin/time: wall seconds and peak RSS (its "maximum resident set size"). */
function timed(command: string, argv: readonly string[], options: { stdin?: string; stdout?: string; cwd?: string } = {}): Measured {
  const timing = join(scratch, 'time.txt');
  const stdin = options.stdin ? openSync(options.stdin, 'r') : 'ignore';
  const stdout = options.stdout ? openSync(options.stdout, 'w') : 'ignore';
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', timing, command, ...argv], {
    stdio: [stdin, stdout, 'pipe'],
    cwd: options.cwd,
    maxBuffer: 1 << 28,
  });
  if (typeof stdin === 'number') closeSync(stdin);
  if (typeof stdout === 'number') closeSync(stdout);
  if (result.status !== 0) throw new Error(`${command} ${argv.join(' ')} failed (${result.status}):\n${result.stderr.toString().slice(-2000)}`);
  const [seconds, kb] = readFileSync(timing, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { seconds: seconds!, peakMB: kb! / 1024 };
}

// The installed program (npm run build: dist/), so tsx's compile on start is not part of our time.
const build = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');
const valid = textOf(0.02, seed + 1000).path;
const modelDir = join(scratch, 'ours-model');
const arpa = join(scratch, 'kenlm.arpa');
const report = join(scratch, 'ours.json');
/** Our whole process, its estimation alone (the training report's trainSeconds: counting to the stored tables), and the n-grams it stored. */
interface Ours extends Measured {
  estimationSeconds: number;
  ngrams: number;
}
const ours = (text: string): Ours => {
  rmSync(modelDir, { recursive: true, force: true });
  const whole = timed(
    process.execPath,
    [
      'dist/bin/perplexity-bench.js',
      'train',
      '--model',
      'ngram',
      '--order',
      String(order),
      '--corpus',
      `files:${text},${valid},${valid}`,
      '--save',
      modelDir,
      '--json',
    ],
    { cwd: repo, stdout: report },
  );
  const { trainSeconds, ngrams } = JSON.parse(readFileSync(report, 'utf8')) as { trainSeconds: number; ngrams: number };
  return { ...whole, estimationSeconds: trainSeconds, ngrams };
};
/** The program's start-up alone (loading its modules), the part of the whole process that does not grow with the text. */
const startUp = (): Measured => timed(process.execPath, ['dist/bin/perplexity-bench.js', '--version'], { cwd: repo });
const kenlm = (text: string, memoryMB: number): Measured =>
  timed(lmplz, ['-o', String(order), '-S', `${Math.ceil(memoryMB)}M`, '-T', scratch], { stdin: text, stdout: arpa });

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const r2 = (x: number): number => Number(x.toFixed(2));

const load = [loadavg()[0]!];
const starts: number[] = [];
/** Per size: words, n-grams stored and the median estimation seconds, for the fit below. */
const estimation: { words: number; ngrams: number; seconds: number }[] = [];
const rows: Record<string, string | number>[] = [];
/** Chart points: whole processes (seconds, peak RSS) and µs per word, which the estimation alone has too. */
const points: { words: number; who: string; seconds?: number; peakMB?: number; microsPerWord: number }[] = [];
for (const millions of sizes) {
  const text = textOf(millions, seed);
  const mine: Ours[] = [];
  const theirs: Measured[] = [];
  for (let r = 0; r < rounds; r++) {
    starts.push(startUp().seconds);
    const a = ours(text.path);
    const b = kenlm(text.path, a.peakMB);
    mine.push(a);
    theirs.push(b);
    console.log(
      `${millions}M round ${r + 1}: ours ${a.seconds.toFixed(2)} s ${a.peakMB.toFixed(0)} MB, lmplz ${b.seconds.toFixed(2)} s ${b.peakMB.toFixed(0)} MB`,
    );
  }
  load.push(loadavg()[0]!);
  const ratios = mine.map((m, i) => m.seconds / theirs[i]!.seconds);
  const ours_ = { seconds: median(mine.map((m) => m.seconds)), peakMB: median(mine.map((m) => m.peakMB)) };
  const kenlm_ = { seconds: median(theirs.map((m) => m.seconds)), peakMB: median(theirs.map((m) => m.peakMB)) };
  const estimationSeconds = median(mine.map((m) => m.estimationSeconds));
  estimation.push({ words: text.words, ngrams: mine[0]!.ngrams, seconds: estimationSeconds });
  rows.push({
    words: text.words,
    'n-grams': mine[0]!.ngrams,
    'ours s': r2(ours_.seconds),
    'ours MB': Math.round(ours_.peakMB),
    'ours µs/word': r2((1e6 * ours_.seconds) / text.words),
    'ours estimation µs/word': r2((1e6 * estimationSeconds) / text.words),
    'KenLM s': r2(kenlm_.seconds),
    'KenLM MB': Math.round(kenlm_.peakMB),
    'KenLM µs/word': r2((1e6 * kenlm_.seconds) / text.words),
    'ours / KenLM time': `${r2(median(ratios))} (${r2(Math.min(...ratios))}–${r2(Math.max(...ratios))})`,
  });
  const perWord = (seconds: number): number => (1e6 * seconds) / text.words;
  points.push(
    { words: text.words, who: 'ours (train)', ...ours_, microsPerWord: perWord(ours_.seconds) },
    { words: text.words, who: 'KenLM lmplz', ...kenlm_, microsPerWord: perWord(kenlm_.seconds) },
    { words: text.words, who: 'ours, estimation alone', microsPerWord: perWord(estimationSeconds) },
  );
}
rmSync(scratch, { recursive: true, force: true });

/** Largest over smallest, and the largest distance from the midpoint of the two (the ±x% the values fall within). */
const spreadOf = (column: string): string => {
  const xs = rows.map((r) => r[column] as number);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  return `largest / smallest ${(hi / lo).toFixed(2)}, all within ±${((100 * (hi - lo)) / (hi + lo)).toFixed(0)}% of their midpoint`;
};
/**
 * Least squares without intercept, seconds ≈ a · words + b · n-grams: estimation is a pass over the text
 * per order (counting) and a pass over the n-grams per stage (adjusting, discounting, the back-off form,
 * packing). A small text has more distinct n-grams per word, so its time per word is higher although no
 * stage grows faster than its input; the residuals say how well the two terms explain every size.
 */
function linearFit(points: readonly { words: number; ngrams: number; seconds: number }[]): string {
  let [sww, swn, snn, sws, sns] = [0, 0, 0, 0, 0];
  for (const { words: w, ngrams: n, seconds: t } of points) {
    sww += w * w;
    swn += w * n;
    snn += n * n;
    sws += w * t;
    sns += n * t;
  }
  const det = sww * snn - swn * swn;
  if (points.length < 3 || !(Math.abs(det) > 0)) return 'fewer than three sizes: no fit';
  const a = (sws * snn - sns * swn) / det;
  const b = (sww * sns - swn * sws) / det;
  const worst = Math.max(...points.map((p) => Math.abs(a * p.words + b * p.ngrams - p.seconds) / p.seconds));
  return `estimation seconds ≈ ${(1e6 * a).toFixed(3)} µs × words + ${(1e9 * b).toFixed(0)} ns × n-grams stored, every size within ${(100 * worst).toFixed(0)}% of the fit`;
}
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo }).stdout.toString().trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo }).stdout.toString().trim() !== '';
const notes = [
  `Whole processes, ${rounds} interleaved round(s) per size (ours, then lmplz with -S set to our peak of that round); medians, the ratio as median (min–max) of the per-round ratios.`,
  `Ours (after npm run build): node dist/bin/perplexity-bench.js train --model ngram --order ${order} --corpus files:TEXT,VALID,VALID --save DIR --json (reads the text, builds the vocabulary, estimates modified Kneser-Ney, scores the 20k-word valid split, saves the model); KenLM: lmplz -o ${order} -S <ours>M -T <a scratch folder> < TEXT > kenlm.arpa (writes its ARPA text).`,
  `Text: sentences sampled (the project's Random, seed ${seed}) from the maximum-likelihood trigram of Brown's train split, cached in ${cache}.`,
  `Ours µs per word (issue 15 §3: within ±25%), the whole process: ${spreadOf('ours µs/word')} (it includes ${median(starts).toFixed(2)} s of start-up, the median of \`--version\` timed before each round, and the fixed valid-split scoring); estimation alone: ${spreadOf('ours estimation µs/word')}.`,
  `Linear in the text and the model: ${linearFit(estimation)}.`,
  `Commit ${commit}${dirty ? ' with uncommitted changes' : ''}; Node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; 1-minute load average ${load.map((l) => l.toFixed(1)).join(' → ')} (a shared machine).`,
];
const table: BenchTable = { title: `ngram ${order}-gram estimation at scale: whole train command against KenLM lmplz -o ${order}`, rows, notes };

const columns = Object.keys(rows[0]!);
const markdown = [
  `# ${table.title}`,
  '',
  'Measured with',
  '',
  `    npx tsx bench/ngram-scale.ts --sizes ${sizes.join(',')} --rounds ${rounds}`,
  '',
  `| ${columns.join(' | ')} |`,
  `| ${columns.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${columns.map((c) => String(r[c])).join(' | ')} |`),
  '',
  ...notes.map((n) => `- ${n}`),
  '',
  '![time, peak memory and µs per word against words](ngram-scale.svg)',
  '',
].join('\n');

const measure = (field: 'seconds' | 'peakMB' | 'microsPerWord', title: string, logY = true): JsonObject => ({
  title,
  width: 300,
  height: 220,
  mark: { type: 'line', point: true },
  encoding: {
    x: { field: 'words', type: 'quantitative', scale: { type: 'log' }, title: 'training words', axis: { format: '~s' } },
    // µs per word on a linear axis from 0, so that its flatness (or not) is seen at its true proportion.
    y: { field, type: 'quantitative', scale: logY ? { type: 'log' } : { zero: true }, title },
    color: { field: 'who', type: 'nominal', title: null },
  },
});
const spec: JsonObject = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  description: 'n-gram estimation time and peak memory against training words (log–log), and µs per word, ours against KenLM lmplz',
  data: { values: points },
  hconcat: [measure('seconds', 'wall seconds'), measure('peakMB', 'peak RSS (MB)'), measure('microsPerWord', 'µs per training word', false)],
};
const results = join(repo, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'ngram-scale.md'), markdown);
// The repository's formatter aligns the table, so that a fresh result is committed as `biome check` wants it.
spawnSync('npx', ['biome', 'format', '--write', join(results, 'ngram-scale.md')], { cwd: repo, stdio: 'ignore' });
writeFileSync(join(results, 'ngram-scale.vl.json'), `${JSON.stringify(spec, null, 2)}\n`);
const { svg } = await renderSvg(spec);
writeFileSync(join(results, 'ngram-scale.svg'), svg);
console.log(`\n${markdown}\nwrote ${join(results, 'ngram-scale.md')}, .vl.json, .svg`);

// Into the report's micro-benchmarks section when a report folder is there (bench.json, as bench/run.ts writes it).
const reportDir = join(repo, args.report);
if (existsSync(reportDir)) {
  const benchFile = join(reportDir, 'bench.json');
  const earlier = existsSync(benchFile) ? (JSON.parse(readFileSync(benchFile, 'utf8')) as { results?: Record<string, BenchTable[]> }) : {};
  const merged = { ...earlier, results: { ...(earlier.results ?? {}), 'ngram-scale.ts': [{ ...table, chart: 'ngram-scale.svg' }] } };
  writeFileSync(benchFile, `${JSON.stringify(merged, null, 1)}\n`);
  writeFileSync(join(reportDir, 'ngram-scale.svg'), svg);
  console.log(`wrote the table into ${benchFile} and the chart to ${join(reportDir, 'ngram-scale.svg')}`);
}
