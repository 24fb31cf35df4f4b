import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors/user-error.ts';

/** The on-disk format: `DIR/model.json` (manifest) and `DIR/arrays.bin` (every array, 8-byte aligned). */
export const CHECKPOINT_FORMAT = 'perplexity-bench/model';
export const CHECKPOINT_VERSION = 1;

export type StoredArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint16Array | Uint8Array | BigUint64Array | BigInt64Array;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface CheckpointData {
  readonly plugin: string;
  readonly hyperParameters: Readonly<Record<string, unknown>>;
  readonly vocabulary: readonly string[];
  /** Small plug-in state (discounts, training report, …). */
  readonly meta: JsonValue;
  readonly arrays: Readonly<Record<string, StoredArray>>;
  /** How the model was made (corpus, protocol, seed, training report), written by the CLI; plug-ins ignore it. */
  readonly provenance?: JsonValue;
}

const DTYPES = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  uint16: Uint16Array,
  uint8: Uint8Array,
  biguint64: BigUint64Array,
  bigint64: BigInt64Array,
} as const;
type DType = keyof typeof DTYPES;

interface ArrayEntry {
  name: string;
  dtype: DType;
  length: number;
  offset: number;
}

interface Manifest {
  format: string;
  version: number;
  plugin: string;
  hyperParameters: Record<string, unknown>;
  vocabulary: string[];
  meta: JsonValue;
  provenance?: JsonValue;
  arrays: ArrayEntry[];
  bytes: number;
  sha256: string;
}

function dtypeOf(a: StoredArray): DType {
  for (const [name, ctor] of Object.entries(DTYPES)) if (a instanceof ctor) return name as DType;
  throw new Error('unsupported array type in checkpoint');
}

const align8 = (n: number): number => (n + 7) & ~7;

/** The files a model folder holds; replacing a model replaces these and nothing else. */
export const MODEL_FILES = ['arrays.bin', 'model.json'] as const;

type ModelFiles = Readonly<Record<(typeof MODEL_FILES)[number], Uint8Array | string>>;

/** Whether DIR holds a model this project saved: a `model.json` whose format says so. */
export function isModelFolder(dir: string): boolean {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    return isRecord(parsed) && parsed.format === CHECKPOINT_FORMAT;
  } catch {
    return false;
  }
}

function writeFailure(dir: string, e: unknown): UserError {
  return new UserError(`${dir}: cannot write the model (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
}

/**
 * Write a model to DIR so that an interrupted save never leaves a half-written model under that name, and
 * nothing but a model is ever replaced. DIR may be missing (the model goes to a new temporary sibling that is
 * renamed into place), empty, or a model saved before: then the new `arrays.bin` and `model.json` are written
 * beside the old ones under temporary names and renamed over them, `model.json` last; other files in DIR are
 * left as they are. Any other folder, or a file, is a `UserError`, and no temporary is left behind.
 */
export function saveCheckpoint(dir: string, data: CheckpointData): void {
  const files = encodeCheckpoint(data);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: exists and is not a folder; a model is saved as a folder`);
    if (readdirSync(dir).length > 0 && !isModelFolder(dir)) {
      throw new UserError(`${dir}: is a folder that is not a model saved by perplexity-bench; it was left as it is`);
    }
    replaceModelFiles(dir, files);
    return;
  }
  const parent = dirname(dir);
  let tmp: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    const fresh = join(parent, `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(fresh);
    tmp = fresh;
    for (const name of MODEL_FILES) writeFileSync(join(tmp, name), files[name]);
    renameSync(tmp, dir);
    tmp = undefined;
  } catch (e) {
    // DIR was missing when the save began; a rename that fails because it exists now must not replace it.
    if (tmp !== undefined && existsSync(dir)) throw new UserError(`${dir}: appeared while the model was being saved; it was left as it is`);
    throw writeFailure(dir, e);
  } finally {
    // The temporary folder is this call's own (a fresh name it made), so removing it removes nothing of the user's.
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

function replaceModelFiles(dir: string, files: ModelFiles): void {
  const temporaries = MODEL_FILES.map((name) => join(dir, `.${name}.tmp-${process.pid}`));
  try {
    MODEL_FILES.forEach((name, i) => {
      writeFileSync(temporaries[i]!, files[name]);
    });
    MODEL_FILES.forEach((name, i) => {
      renameSync(temporaries[i]!, join(dir, name));
    });
  } catch (e) {
    throw writeFailure(dir, e);
  } finally {
    for (const t of temporaries) rmSync(t, { force: true });
  }
}

/** The bytes of both files: `arrays.bin` (every array, 8-byte aligned) and `model.json` (the manifest). */
function encodeCheckpoint(data: CheckpointData): ModelFiles {
  const entries: ArrayEntry[] = [];
  let bytes = 0;
  for (const [name, a] of Object.entries(data.arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset: bytes });
    bytes = align8(bytes + a.byteLength);
  }
  const blob = new Uint8Array(bytes);
  entries.forEach((e, i) => {
    const a = Object.values(data.arrays)[i]!;
    blob.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), e.offset);
  });
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    plugin: data.plugin,
    hyperParameters: { ...data.hyperParameters },
    vocabulary: [...data.vocabulary],
    meta: data.meta,
    ...(data.provenance !== undefined ? { provenance: data.provenance } : {}),
    arrays: entries,
    bytes,
    sha256: createHash('sha256').update(blob).digest('hex'),
  };
  return { 'arrays.bin': blob, 'model.json': `${JSON.stringify(manifest)}\n` };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Read a model written by `saveCheckpoint`; a missing, foreign, newer or corrupt one is a `UserError`. */
export function loadCheckpoint(dir: string): CheckpointData {
  const manifestPath = join(dir, 'model.json');
  const blobPath = join(dir, 'arrays.bin');
  if (!existsSync(dir)) throw new UserError(`${dir}: no such model folder`);
  if (!existsSync(manifestPath)) throw new UserError(`${dir}: not a perplexity-bench model (no model.json)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new UserError(`${manifestPath}: corrupt model manifest (${(e as Error).message})`);
  }
  if (!isRecord(parsed) || parsed.format !== CHECKPOINT_FORMAT) {
    throw new UserError(`${manifestPath}: not a perplexity-bench model (format is not "${CHECKPOINT_FORMAT}")`);
  }
  if (typeof parsed.version !== 'number' || parsed.version > CHECKPOINT_VERSION || parsed.version < 1) {
    throw new UserError(`${manifestPath}: model format version ${String(parsed.version)} is not supported (this build reads 1..${CHECKPOINT_VERSION})`);
  }
  const m = parsed as unknown as Manifest;
  if (typeof m.plugin !== 'string' || !Array.isArray(m.vocabulary) || !Array.isArray(m.arrays) || !isRecord(m.hyperParameters)) {
    throw new UserError(`${manifestPath}: corrupt model manifest (missing fields)`);
  }
  if (!existsSync(blobPath)) throw new UserError(`${dir}: corrupt model (arrays.bin is missing)`);
  const file = readFileSync(blobPath);
  if (file.length !== m.bytes) {
    throw new UserError(`${blobPath}: corrupt model (${file.length} bytes, expected ${m.bytes})`);
  }
  if (createHash('sha256').update(file).digest('hex') !== m.sha256) {
    throw new UserError(`${blobPath}: corrupt model (checksum mismatch)`);
  }
  // A fresh, aligned copy: typed-array views need aligned offsets, and Buffers may share a pool.
  const blob = new Uint8Array(new ArrayBuffer(align8(file.length)));
  blob.set(file);
  const arrays: Record<string, StoredArray> = {};
  for (const e of m.arrays) {
    const ctor = DTYPES[e.dtype];
    if (!ctor || e.offset % 8 !== 0 || e.offset + e.length * ctor.BYTES_PER_ELEMENT > m.bytes) {
      throw new UserError(`${manifestPath}: corrupt model (bad array entry "${e.name}")`);
    }
    arrays[e.name] = new ctor(blob.buffer, e.offset, e.length);
  }
  return {
    plugin: m.plugin,
    hyperParameters: m.hyperParameters,
    vocabulary: m.vocabulary,
    meta: m.meta,
    arrays,
    ...(m.provenance !== undefined ? { provenance: m.provenance } : {}),
  };
}
