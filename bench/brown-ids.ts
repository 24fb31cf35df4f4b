import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedCorpus } from '../corpora/corpus.ts';
import type { Protocol } from '../models/types.ts';
import { windowExamples } from '../models/window/examples.ts';

/** The splits a PyTorch twin reads: it trains on train, and the speed bench scores test (valid for the window twin's own perplexity). */
export const EXPORTED_SPLITS = ['train', 'valid', 'test'] as const;

/**
 * The one path by which the PyTorch twins in bench/ get the Brown token ids: for each split, the padded stream of
 * ids and the positions of its predicted tokens (`windowExamples`, int32 little-endian, `SPLIT.stream.i32` and
 * `SPLIT.positions.i32`) and a `meta.json` (corpus, mode, n, vocabulary size). In stream mode the stream is
 * `<s>`×(n−1) then `w… </s> w… </s> …`, so its tail from index n−2 is the recurrent models' training stream
 * (`streamSegments`: one `<s>`, then every sentence and its `</s>`); the twins read it that way.
 */
export function exportBrownIds(corpus: EncodedCorpus, directory: string, n: number, mode: Protocol): void {
  mkdirSync(directory, { recursive: true });
  for (const split of EXPORTED_SPLITS) {
    const { stream, positions } = windowExamples(corpus[split], n, mode);
    writeFileSync(join(directory, `${split}.stream.i32`), stream);
    writeFileSync(join(directory, `${split}.positions.i32`), positions);
  }
  writeFileSync(join(directory, 'meta.json'), `${JSON.stringify({ corpus: 'brown', mode, n, vocabulary: corpus.vocab.size })}\n`);
}
