import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { UserError } from '../errors/user-error.ts';
import type { TokenLevel } from './corpus.ts';

/**
 * Read a UTF-8 text file as its non-blank lines. A missing or unreadable file, or bytes that are not
 * UTF-8, are a `UserError` naming the file (and the line, for bad bytes).
 */
export function readLines(path: string): string[] {
  const bytes = readTextBytes(path);
  if (!isUtf8(bytes)) throw new UserError(`${path}: line ${lineOfInvalidUtf8(bytes)} is not valid UTF-8`);
  let text: string;
  try {
    text = new TextDecoder('utf-8').decode(bytes);
  } catch (e) {
    // Valid UTF-8 that does not decode is text past V8's longest string (2^29 − 24 UTF-16 units, about 512 MiB).
    throw new UserError(
      `${path}: ${(bytes.length / 2 ** 20).toFixed(0)} MiB of text is more than one JavaScript string holds (${(e as Error).message}); ` +
        '`train`, `corpus` and `eval --text` read word-level text of any size, other uses need it split into smaller files',
    );
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** The bytes of a text file; a missing or unreadable file is a `UserError` naming it. */
export function readTextBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? (e as Error).message})`;
    throw new UserError(`${path}: ${why}`);
  }
}

export function lineOfInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return line;
}

/** Words are separated by white space; characters are Unicode code points, spaces included. */
export function tokenize(line: string, level: TokenLevel): string[] {
  return level === 'word' ? line.trim().split(/\s+/) : Array.from(line);
}
