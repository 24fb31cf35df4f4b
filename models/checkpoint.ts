import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../corpora/user-error.ts';

/** The on-disk format: `DIR/model.json` (manifest) and `DIR/arrays.bin` (every array, 8-byte aligned). */
export const CHECKPOINT_FORMAT = 'perplexity-bench/model';
export const CHECKPOINT_VERSION = 1;

export type StoredArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | BigUint64Array
  | BigInt64Array;

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

/**
 * Write a model to DIR atomically: everything goes to a temporary sibling folder that is renamed into
 * place at the end, so an interrupted save never leaves a half-written model under DIR.
 */
export function saveCheckpoint(dir: string, data: CheckpointData): void {
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
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeFileSync(join(tmp, 'arrays.bin'), blob);
  writeFileSync(join(tmp, 'model.json'), JSON.stringify(manifest) + '\n');
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--save ${dir}: exists and is not a folder`);
    const old = join(parent, `.${basename(dir)}.old-${process.pid}`);
    renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
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
