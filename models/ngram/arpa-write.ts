import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../errors/user-error.ts';
import { BOS_ID } from '../../corpora/vocabulary.ts';
import type { LanguageModel } from '../types.ts';
import { NgramModel } from './model.ts';

/** SRILM's log10 probability for a word that is never predicted (`<s>`). */
export const ARPA_NEVER = -99;

/** The shortest decimal that reads back as the same single-precision value (ARPA values are floats). */
export function formatFloat32(v: number): string {
  if (v === 0) return '0';
  if (v === -Infinity) return String(ARPA_NEVER);
  for (let p = 6; p < 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

/** Collects text and writes it in large pieces (to a file, or into memory for gzip). */
class ChunkedWriter {
  private pending: string[] = [];
  private pendingLength = 0;
  private readonly chunks: Buffer[] = [];

  constructor(private readonly fd: number | undefined) {}

  write(s: string): void {
    this.pending.push(s);
    this.pendingLength += s.length;
    if (this.pendingLength > 1 << 20) this.flush();
  }

  flush(): void {
    const data = Buffer.from(this.pending.join(''), 'utf8');
    if (this.fd === undefined) this.chunks.push(data);
    else writeSync(this.fd, data);
    this.pending = [];
    this.pendingLength = 0;
  }

  contents(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}

/**
 * Write a back-off model as an ARPA file (the text format KenLM, SRILM and most decoders read): `\data\`
 * with the n-gram counts, then per order `log10 p <tab> w1 … wk [<tab> log10 back-off]`, `<unk>`
 * included, `<s>` with log10 p = −99 (never predicted) and its back-off weight. A path ending in `.gz` is
 * gzipped. The file appears atomically (temporary sibling + rename); missing folders on the way are made, and
 * an existing folder at `path` is an error (whether to replace an existing file is the caller's decision).
 */
export function writeArpa(model: LanguageModel, path: string): void {
  if (!(model instanceof NgramModel)) {
    throw new UserError(`ARPA export needs an ngram model; this is a "${model.plugin}" model`);
  }
  const tables = model.tables;
  if (tables.kind !== 'backoff') {
    throw new UserError(
      `ARPA export needs a back-off model (smoothing kn, mkn or arpa); "${model.hyperParameters.smoothing}" keeps counts, whose probabilities the ARPA back-off form cannot express`,
    );
  }
  const { trie, logProb, logBackoff } = tables;
  const words = model.vocab.words;
  const bad = words.find((w) => /\s/.test(w) || w === '');
  if (bad !== undefined)
    throw new UserError(`ARPA export: the vocabulary has the token ${JSON.stringify(bad)}, which contains white space; ARPA separates words by spaces`);

  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`--out ${path}: is a folder; ARPA export writes a file`);
  const gz = path.endsWith('.gz');
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(tmp, 'w');
    const out = new ChunkedWriter(gz ? undefined : fd);
    const order = trie.order;
    const sizes = trie.counts();
    out.write('\\data\\\n');
    sizes.forEach((n, i) => {
      out.write(`ngram ${i + 1}=${n}\n`);
    });
    for (let k = 1; k <= order; k++) {
      out.write(`\n\\${k}-grams:\n`);
      const lp = logProb[k - 1]!;
      const bo = k < order ? logBackoff[k - 1]! : undefined;
      trie.forEachNgram(k, (i, ids) => {
        const p = k === 1 && i === BOS_ID ? String(ARPA_NEVER) : formatFloat32(lp[i]!);
        let text = words[ids[0]!];
        for (let j = 1; j < k; j++) text += ` ${words[ids[j]!]}`;
        out.write(bo ? `${p}\t${text}\t${formatFloat32(bo[i]!)}\n` : `${p}\t${text}\n`);
      });
    }
    out.write('\n\\end\\\n');
    if (gz) writeSync(fd, gzipSync(out.contents()));
    else out.flush();
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (existsSync(tmp)) rmSync(tmp);
    const code = (e as NodeJS.ErrnoException).code;
    throw code === undefined ? e : new UserError(`--out ${path}: cannot be written (${code})`);
  }
}
