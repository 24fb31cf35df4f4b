import { readFileSync } from 'node:fs';
import { estimate } from '../models/ngram/estimate.ts';

/**
 * Measures one estimation in a fresh process so its peak memory is its own: reads a training stream
 * written by `ngram.bench.ts` (int32 ids with sentence markers), estimates modified Kneser-Ney of the
 * given order, and prints {seconds, baselineMB, peakMB} as JSON. Usage: ngram-estimate-child.ts FILE ORDER VOCAB.
 */
const [file, orderText, vocabText] = process.argv.slice(2);
const bytes = readFileSync(file!);
const text = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
global.gc?.();
const baselineMB = process.memoryUsage().rss / 2 ** 20;
const start = performance.now();
const result = estimate(text, Number(orderText), Number(vocabText), { smoothing: 'mkn' });
const seconds = (performance.now() - start) / 1000;
const peakMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ seconds, baselineMB, peakMB, ngrams: result.tables.trie.counts() }));
