import { mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCheckpoint } from './openCheckpoint.ts';
import { writeSafetensors } from './safetensorsWriter.ts';
import { writeShardedCheckpoint } from './shardWriter.ts';
import { denseSource, type TensorSource } from './tensorSource.ts';
import { expectAppError, makeTempDir } from './testing/support.ts';
import { writeTorchZip } from './torchWriter.ts';

const FIXTURES = fileURLToPath(new URL('../../tools/fixtures/torch/', import.meta.url));

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('open-checkpoint-test');
});
afterAll(() => dir.remove());

const sources = (): TensorSource[] =>
  ['a', 'b', 'c'].map((name, i) => denseSource(name, { dtype: 'F16', shape: [4, 4], data: new Float32Array(16).fill(i + 0.5) }));

async function freshDir(name: string): Promise<string> {
  const path = join(dir.path, name);
  await mkdir(path, { recursive: true });
  return path;
}

describe('openCheckpoint finds the format', () => {
  it('opens a folder of .bin shards through pytorch_model.bin.index.json', async () => {
    const folder = await freshDir('bin-shards');
    await writeShardedCheckpoint(sources(), { dir: folder, format: 'bin', maxShardBytes: 64 });
    const checkpoint = await openCheckpoint(folder);
    expect([...checkpoint.tensors.keys()]).toEqual(['a', 'b', 'c']);
    expect(checkpoint.tensors.get('c')!.file).toBe(join(folder, 'pytorch_model-00002-of-00002.bin'));
    expect([...(await checkpoint.tensors.get('c')!.read())]).toEqual(new Array(16).fill(2.5));
    await checkpoint.close();
    // The index file itself, and one shard on its own, open too.
    const viaIndex = await openCheckpoint(join(folder, 'pytorch_model.bin.index.json'));
    expect(viaIndex.tensors.size).toBe(3);
    await viaIndex.close();
    const shard = await openCheckpoint(join(folder, 'pytorch_model-00001-of-00002.bin'));
    expect([...shard.tensors.keys()]).toEqual(['a', 'b']);
    await shard.close();
  });

  it('prefers safetensors when a folder has both formats, and opens a lone weights file', async () => {
    const folder = await freshDir('both');
    await writeTorchZip(join(folder, 'pytorch_model.bin'), sources().slice(0, 1));
    await writeSafetensors(join(folder, 'model.safetensors'), sources().slice(1));
    const checkpoint = await openCheckpoint(folder);
    expect([...checkpoint.tensors.keys()]).toEqual(['b', 'c']);
    await checkpoint.close();
    const lone = await freshDir('lone');
    await writeTorchZip(join(lone, 'ckpt.pt'), sources());
    const delta = await openCheckpoint(lone);
    expect(delta.tensors.size).toBe(3);
    await delta.close();
  });

  it('tells safetensors from a zip by content, whatever the extension', async () => {
    // A header of 0x180 bytes starts with byte 0x80, like a pickle: the sniffing must not be fooled.
    const path = join(dir.path, 'weights.dat');
    const json = JSON.stringify({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }).padEnd(0x180, ' ');
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(json.length));
    await writeFile(path, Buffer.concat([prefix, Buffer.from(json), Buffer.from(new Float32Array([7]).buffer)]));
    const checkpoint = await openCheckpoint(path);
    expect([...(await checkpoint.tensors.get('w')!.read())]).toEqual([7]);
    await checkpoint.close();
  });
});

describe('openCheckpoint errors name the file in one line', () => {
  it('FILE_NOT_FOUND for a missing path', async () => {
    const path = join(dir.path, 'nope', 'pytorch_model.bin');
    await expectAppError(openCheckpoint(path), 'FILE_NOT_FOUND', `${path}: file not found`);
  });

  it('FILE_NOT_FOUND for a shard that the index names but that does not exist', async () => {
    const folder = await freshDir('missing-shard');
    await writeShardedCheckpoint(sources(), { dir: folder, format: 'safetensors', maxShardBytes: 64 });
    const shard = join(folder, 'model-00002-of-00002.safetensors');
    await rm(shard);
    await expectAppError(openCheckpoint(folder), 'FILE_NOT_FOUND', `${shard}: file not found (named in ${join(folder, 'model.safetensors.index.json')})`);
  });

  it('CHECKPOINT_INVALID when the index names a tensor that its shard lacks', async () => {
    const folder = await freshDir('stale-index');
    await writeShardedCheckpoint(sources(), { dir: folder, format: 'bin', maxShardBytes: 64 });
    const indexPath = join(folder, 'pytorch_model.bin.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8'));
    index.weight_map.d = 'pytorch_model-00001-of-00002.bin';
    await writeFile(indexPath, JSON.stringify(index));
    await expectAppError(openCheckpoint(folder), 'CHECKPOINT_INVALID', `${indexPath}: names tensor "d" in pytorch_model-00001-of-00002.bin, which does not hold it`);
  });

  it('FILE_TRUNCATED for a .bin or .safetensors cut short', async () => {
    const bin = join(dir.path, 'cut.bin');
    await writeTorchZip(bin, sources());
    await truncate(bin, 300);
    await expectAppError(openCheckpoint(bin), 'FILE_TRUNCATED', bin);
    const st = join(dir.path, 'cut.safetensors');
    await writeSafetensors(st, sources());
    await truncate(st, 150);
    await expectAppError(openCheckpoint(st), 'FILE_TRUNCATED', st);
  });

  it('CHECKPOINT_INVALID for a PNG or a text file, whatever it is called', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#808080' } }).png().toBuffer();
    for (const name of ['photo.bin', 'photo.safetensors', 'photo.png']) {
      const path = join(dir.path, name);
      await writeFile(path, png);
      await expectAppError(openCheckpoint(path), 'CHECKPOINT_INVALID', path);
    }
    const text = join(dir.path, 'README.pt');
    await writeFile(text, '# Model card\nThis folder holds the weights.\n');
    await expectAppError(openCheckpoint(text), 'CHECKPOINT_INVALID', text);
    const empty = await freshDir('empty');
    await expectAppError(openCheckpoint(empty), 'CHECKPOINT_INVALID', `${empty}: no checkpoint files`);
  });

  it('PICKLE_FORBIDDEN_GLOBAL for a checkpoint that would run a command', async () => {
    const path = join(FIXTURES, 'evil_os_system.pt');
    await expectAppError(openCheckpoint(path), 'PICKLE_FORBIDDEN_GLOBAL', `${path}: refuses to load global posix.system`);
  });
});
