import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFloat32, decodeInto } from './dtypes.ts';
import { openCheckpoint } from './openCheckpoint.ts';
import { openSafetensors } from './safetensorsReader.ts';
import { writeSafetensors } from './safetensorsWriter.ts';
import { writeShardedCheckpoint } from './shardWriter.ts';
import { denseSource, type TensorSource } from './tensorSource.ts';
import { expectAppError, makeTempDir } from './testing/support.ts';
import type { DType } from './types.ts';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('safetensors-test');
});
afterAll(() => dir.remove());

function ramp(n: number, scale = 0.37): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * scale) * (1 + i / 7));
}

/** The values `dtype` stores for `values` (what a reader must return exactly). */
function rounded(dtype: DType, values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  decodeInto(dtype, encodeFloat32(dtype, values), values.length, out, 0);
  return out;
}

const tensors: Array<{ name: string; dtype: DType; shape: number[]; data: Float32Array }> = [
  { name: 'emb.weight', dtype: 'F16', shape: [5, 3], data: ramp(15) },
  { name: 'norm.weight', dtype: 'F32', shape: [7], data: ramp(7, 1.3) },
  { name: 'proj.bias', dtype: 'BF16', shape: [2, 2, 2], data: ramp(8, 0.9) },
  { name: 'empty', dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
];
const sources = (): TensorSource[] => tensors.map((t) => denseSource(t.name, t));

describe('safetensors', () => {
  it('writes a file that reads back exactly, with the header padded to 8 bytes', async () => {
    const path = join(dir.path, 'one.safetensors');
    await writeSafetensors(path, sources());
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(JSON.parse(bytes.toString('utf8', 8, 8 + headerLength)).__metadata__).toEqual({ format: 'pt' });

    const checkpoint = await openSafetensors(path);
    // The safetensors library's order: 4-byte types first, then by name.
    expect([...checkpoint.tensors.keys()]).toEqual(['empty', 'norm.weight', 'emb.weight', 'proj.bias']);
    for (const t of tensors) {
      const entry = checkpoint.tensors.get(t.name);
      expect(entry).toMatchObject({ dtype: t.dtype, shape: t.shape, file: path });
      expect(await entry?.read()).toEqual(rounded(t.dtype, t.data));
    }
    await checkpoint.close();
  });

  it('lists integer buffers (position_ids) as skipped instead of failing', async () => {
    const path = join(dir.path, 'with-ids.safetensors');
    const header = JSON.stringify({
      'vision_model.embeddings.position_ids': { dtype: 'I64', shape: [1, 2], data_offsets: [0, 16] },
      w: { dtype: 'F32', shape: [1], data_offsets: [16, 20] },
    });
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    const data = Buffer.alloc(20);
    data.writeFloatLE(2.5, 16);
    await writeFile(path, Buffer.concat([prefix, Buffer.from(header), data]));
    const checkpoint = await openSafetensors(path);
    expect([...checkpoint.tensors.keys()]).toEqual(['w']);
    expect(checkpoint.skipped).toEqual(new Map([['vision_model.embeddings.position_ids', 'I64']]));
    expect([...(await checkpoint.tensors.get('w')!.read())]).toEqual([2.5]);
    await checkpoint.close();
  });

  it('reads a sharded checkpoint through its index, with each tensor from its own shard', async () => {
    const shardDir = join(dir.path, 'sharded');
    await mkdir(shardDir);
    const result = await writeShardedCheckpoint(sources(), { dir: shardDir, format: 'safetensors', maxShardBytes: 58 });
    expect(result.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(result.indexFile).toBe('model.safetensors.index.json');
    const index = JSON.parse(await readFile(join(shardDir, 'model.safetensors.index.json'), 'utf8'));
    expect(index.metadata.total_size).toBe(30 + 28 + 16);
    expect(Object.keys(index.weight_map)).toEqual(['emb.weight', 'empty', 'norm.weight', 'proj.bias']);

    const checkpoint = await openCheckpoint(shardDir);
    expect(checkpoint.tensors.get('emb.weight')?.file).toBe(join(shardDir, 'model-00001-of-00002.safetensors'));
    expect(checkpoint.tensors.get('proj.bias')?.file).toBe(join(shardDir, 'model-00002-of-00002.safetensors'));
    expect(await checkpoint.tensors.get('proj.bias')?.read()).toEqual(rounded('BF16', tensors[2]!.data));
    await checkpoint.close();
  });

  it('reports a header or tensor past the end of the file as FILE_TRUNCATED', async () => {
    const path = join(dir.path, 'cut.safetensors');
    await writeSafetensors(path, sources());
    const full = (await readFile(path)).length;
    await truncate(path, full - 3);
    await expectAppError(openSafetensors(path), 'FILE_TRUNCATED', `${path}: tensor "proj.bias" ends at byte ${full}`);
    await truncate(path, 40);
    await expectAppError(openSafetensors(path), 'FILE_TRUNCATED', 'the JSON header');
    await truncate(path, 0);
    await expectAppError(openSafetensors(path), 'FILE_TRUNCATED', 'empty');
  });

  it('reports files that are not safetensors as CHECKPOINT_INVALID', async () => {
    const text = join(dir.path, 'notes.safetensors');
    await writeFile(text, 'These are my notes about the model, not weights.\n');
    await expectAppError(openSafetensors(text), 'CHECKPOINT_INVALID', `${text}: not a safetensors file`);
    const badJson = join(dir.path, 'bad-json.safetensors');
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(6n);
    await writeFile(badJson, Buffer.concat([prefix, Buffer.from('{"a": ')]));
    await expectAppError(openSafetensors(badJson), 'CHECKPOINT_INVALID', 'not valid JSON');
    const wrongSize = join(dir.path, 'wrong-size.safetensors');
    const header = JSON.stringify({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 4] } });
    prefix.writeBigUInt64LE(BigInt(header.length));
    await writeFile(wrongSize, Buffer.concat([prefix, Buffer.from(header), Buffer.alloc(4)]));
    await expectAppError(openSafetensors(wrongSize), 'CHECKPOINT_INVALID', 'holds 4 bytes, but F16 [3] needs 6');
  });
});
