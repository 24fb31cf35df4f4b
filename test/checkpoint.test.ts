import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint, type CheckpointData } from '../models/checkpoint.ts';

const dir = mkdtempSync(join(tmpdir(), 'pb-ckpt-'));
const data: CheckpointData = {
  plugin: 'example',
  hyperParameters: { order: 3 },
  vocabulary: ['<unk>', '<s>', '</s>', 'a'],
  meta: { discounts: [0.5, 1.0] },
  arrays: {
    f64: Float64Array.from([1.5, -2.25, Math.PI]),
    i32: Int32Array.from([7, -8, 9]),
    u8: Uint8Array.from([1, 2, 3, 4, 5]),
    f32: Float32Array.from([0.1, 0.2]),
  },
  provenance: { corpus: 'brown' },
};

describe('checkpoints', () => {
  it('round-trip every array exactly, with the manifest fields', () => {
    const d = join(dir, 'ok');
    saveCheckpoint(d, data);
    const back = loadCheckpoint(d);
    expect(back.plugin).toBe('example');
    expect(back.hyperParameters).toEqual({ order: 3 });
    expect(back.vocabulary).toEqual(data.vocabulary);
    expect(back.meta).toEqual(data.meta);
    expect(back.provenance).toEqual({ corpus: 'brown' });
    for (const [k, v] of Object.entries(data.arrays)) {
      expect(back.arrays[k]!.constructor).toBe(v.constructor);
      expect([...(back.arrays[k]! as Iterable<number | bigint>)]).toEqual([...(v as Iterable<number | bigint>)]);
    }
    // Overwriting leaves no temporary folders behind.
    saveCheckpoint(d, data);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('replace only a model saved before (its two files, nothing else) and refuse any other folder or a file, untouched', () => {
    const model = join(dir, 'replaced');
    saveCheckpoint(model, data);
    writeFileSync(join(model, 'notes.txt'), 'mine\n');
    saveCheckpoint(model, { ...data, hyperParameters: { order: 4 } });
    expect(loadCheckpoint(model).hyperParameters).toEqual({ order: 4 });
    expect(readdirSync(model).sort()).toEqual(['arrays.bin', 'model.json', 'notes.txt']);

    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine\n');
    expect(() => saveCheckpoint(other, data)).toThrow(/other: is a folder that is not a model saved by perplexity-bench; it was left as it is/);
    expect(readdirSync(other)).toEqual(['notes.txt']);
    const file = join(dir, 'file');
    writeFileSync(file, 'mine\n');
    expect(() => saveCheckpoint(file, data)).toThrow(/file: exists and is not a folder/);
    expect(() => saveCheckpoint(join(file, 'sub'), data)).toThrow(/file\/sub: cannot write the model \(ENOTDIR\)|file\/sub: cannot write the model \(EEXIST\)/);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('refuse missing, foreign, newer and corrupt models with a clear error', () => {
    expect(() => loadCheckpoint(join(dir, 'nope'))).toThrow(/no such model folder/);
    const foreign = join(dir, 'foreign');
    saveCheckpoint(foreign, data);
    writeFileSync(join(foreign, 'model.json'), '{"format":"something-else"}');
    expect(() => loadCheckpoint(foreign)).toThrow(/not a perplexity-bench model/);

    const newer = join(dir, 'newer');
    saveCheckpoint(newer, data);
    const m = JSON.parse(readFileSync(join(newer, 'model.json'), 'utf8'));
    writeFileSync(join(newer, 'model.json'), JSON.stringify({ ...m, version: 99 }));
    expect(() => loadCheckpoint(newer)).toThrow(/version 99 is not supported/);

    const corrupt = join(dir, 'corrupt');
    saveCheckpoint(corrupt, data);
    const blob = readFileSync(join(corrupt, 'arrays.bin'));
    blob.writeUInt8(blob.readUInt8(3) ^ 0xff, 3);
    writeFileSync(join(corrupt, 'arrays.bin'), blob);
    expect(() => loadCheckpoint(corrupt)).toThrow(/checksum mismatch/);
    writeFileSync(join(corrupt, 'arrays.bin'), blob.subarray(0, 5));
    expect(() => loadCheckpoint(corrupt)).toThrow(/corrupt model \(5 bytes/);

    const garbage = join(dir, 'garbage');
    saveCheckpoint(garbage, data);
    writeFileSync(join(garbage, 'model.json'), '{not json');
    expect(() => loadCheckpoint(garbage)).toThrow(/corrupt model manifest/);
    expect(existsSync(join(garbage, 'arrays.bin'))).toBe(true);
  });
});
