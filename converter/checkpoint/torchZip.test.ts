import { createWriteStream } from 'node:fs';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInto, encodeFloat32 } from './dtypes.ts';
import { openFile } from './fileAccess.ts';
import { pickleStateDict } from './pickleWriter.ts';
import { expectAppError, makeTempDir } from './testing/support.ts';
import { openTorchZip } from './torchReader.ts';
import { denseSource } from './tensorSource.ts';
import { writeTorchZip } from './torchWriter.ts';
import type { DType } from './types.ts';
import { readZipDirectory, readZipEntry, resolveDataOffset } from './zipReader.ts';

const FIXTURES = fileURLToPath(new URL('../../tools/fixtures/torch/', import.meta.url));

interface Expected {
  tensors: Record<string, { dtype: DType; shape: number[]; values: number[] }>;
  skipped: Record<string, string>;
}

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('torch-zip-test');
});
afterAll(() => dir.remove());

const tensors = [
  { name: 'model.embed_tokens.weight', dtype: 'F16' as const, shape: [6, 4] },
  { name: 'model.norm.weight', dtype: 'F32' as const, shape: [4] },
  { name: 'vision_proj.bias', dtype: 'BF16' as const, shape: [3] },
  { name: 'patch', dtype: 'F16' as const, shape: [2, 3, 2, 2] },
].map((spec, k) => ({ ...spec, data: Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i + k) * (k + 1)) }));

function rounded(dtype: DType, values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  decodeInto(dtype, encodeFloat32(dtype, values), values.length, out, 0);
  return out;
}

async function writeExample(name: string, forceZip64 = false): Promise<string> {
  const path = join(dir.path, name);
  await writeTorchZip(path, tensors.map((t) => denseSource(t.name, t)), { forceZip64 });
  return path;
}

describe('PyTorch zip reader on a file written by real torch.save', () => {
  it('reads fp16, fp32 and bf16 tensors, storage offsets, shared storages, transposed views, parameters and nested dicts', async () => {
    const expected = JSON.parse(await readFile(join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
    const checkpoint = await openTorchZip(join(FIXTURES, 'state_dict.pt'));
    expect([...checkpoint.tensors.keys()].sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, want] of Object.entries(expected.tensors)) {
      const entry = checkpoint.tensors.get(name);
      expect(entry, name).toMatchObject({ dtype: want.dtype, shape: want.shape });
      expect([...(await entry!.read())], name).toEqual(want.values);
    }
    expect(Object.fromEntries(checkpoint.skipped ?? [])).toEqual(expected.skipped);
    await checkpoint.close();
  });

  it.each([
    ['evil_os_system.pt', 'posix.system'],
    ['evil_load_from_bytes.pt', 'torch.storage._load_from_bytes'],
  ])('refuses %s (it names %s)', async (file, global) => {
    const path = join(FIXTURES, file);
    await expectAppError(openTorchZip(path), 'PICKLE_FORBIDDEN_GLOBAL', `${path}: refuses to load global ${global}: a checkpoint must only hold tensors`);
  });

  it('refuses the legacy non-zip format with advice', async () => {
    const error = await expectAppError(openTorchZip(join(FIXTURES, 'legacy.pt')), 'CHECKPOINT_INVALID', 'legacy');
    expect(error.hint).toMatch(/re-save/i);
  });
});

describe('PyTorch zip writer', () => {
  it('lays records out like torch.save: <stem>/data.pkl first, data 64-byte aligned, version last', async () => {
    const path = await writeExample('layout.bin');
    const file = await openFile(path);
    const entries = await readZipDirectory(file);
    expect([...entries.keys()]).toEqual(['layout/data.pkl', 'layout/byteorder', 'layout/data/0', 'layout/data/1', 'layout/data/2', 'layout/data/3', 'layout/version']);
    for (const entry of entries.values()) {
      expect(entry.method).toBe(0);
      expect((await resolveDataOffset(file, entry)) % 64).toBe(0);
    }
    expect((await readZipEntry(file, entries.get('layout/version')!)).toString()).toBe('3\n');
    expect(entries.get('layout/data/0')!.size).toBe(6 * 4 * 2);
    await file.close();
  });

  it.each([false, true])('reads back exactly what it wrote (ZIP64 records forced: %s)', async (forceZip64) => {
    const path = await writeExample(`round-trip-${forceZip64}.pt`, forceZip64);
    const checkpoint = await openTorchZip(path);
    for (const t of tensors) {
      const entry = checkpoint.tensors.get(t.name)!;
      expect(entry).toMatchObject({ dtype: t.dtype, shape: t.shape, file: path });
      expect(await entry.read()).toEqual(rounded(t.dtype, t.data));
    }
    await checkpoint.close();
  });

  it('reads an archive whose members were repacked with deflate', async () => {
    const source = await writeExample('to-repack.bin');
    const file = await openFile(source);
    const zip = new yazl.ZipFile();
    for (const entry of (await readZipDirectory(file)).values()) zip.addBuffer(await readZipEntry(file, entry), entry.name, { compress: true });
    await file.close();
    zip.end();
    const repacked = join(dir.path, 'repacked.bin');
    await pipeline(zip.outputStream, createWriteStream(repacked));
    const checkpoint = await openTorchZip(repacked);
    const t = tensors[3]!;
    expect(await checkpoint.tensors.get(t.name)!.read()).toEqual(rounded(t.dtype, t.data));
    await checkpoint.close();
  });
});

describe('PyTorch zip reader, byte order', () => {
  it('byte-swaps storages of a checkpoint saved on a big-endian machine', async () => {
    const values = Float32Array.from([1.5, -2, 0.25, 1024]);
    const storage = Buffer.from(encodeFloat32('F16', values));
    storage.swap16();
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from(pickleStateDict([{ name: 'w', dtype: 'F16', shape: [2, 2], storageKey: '0' }])), 'archive/data.pkl', { compress: false });
    zip.addBuffer(Buffer.from('big'), 'archive/byteorder', { compress: false });
    zip.addBuffer(storage, 'archive/data/0', { compress: false });
    zip.addBuffer(Buffer.from('3\n'), 'archive/version', { compress: false });
    zip.end();
    const path = join(dir.path, 'big-endian.pt');
    await pipeline(zip.outputStream, createWriteStream(path));
    const checkpoint = await openTorchZip(path);
    expect([...(await checkpoint.tensors.get('w')!.read())]).toEqual([...values]);
    await checkpoint.close();
  });
});

describe('PyTorch zip reader errors', () => {
  it('reports a file cut short as FILE_TRUNCATED', async () => {
    const path = await writeExample('cut.bin');
    const size = (await readFile(path)).length;
    await truncate(path, size - 10);
    await expectAppError(openTorchZip(path), 'FILE_TRUNCATED', `${path}: the zip central directory is missing`);
    await truncate(path, 200);
    await expectAppError(openTorchZip(path), 'FILE_TRUNCATED', path);
  });

  it('reports a storage whose data would end past the end of the file as FILE_TRUNCATED', async () => {
    // The central directory says data/3 is 1 MB long: its data would run past the end of this small file.
    const bytes = await readFile(await writeExample('hole.bin'));
    const centralAt = bytes.lastIndexOf(Buffer.from('hole/data/3')) - 46;
    expect(bytes.readUInt32LE(centralAt)).toBe(0x02014b50);
    bytes.writeUInt32LE(1 << 20, centralAt + 20);
    bytes.writeUInt32LE(1 << 20, centralAt + 24);
    const damaged = join(dir.path, 'damaged.bin');
    await writeFile(damaged, bytes);
    await expectAppError(openTorchZip(damaged), 'FILE_TRUNCATED', `${damaged}: zip member hole/data/3 ends at byte`);
  });

  it('reports zips that are not torch checkpoints, and non-zip files, as CHECKPOINT_INVALID', async () => {
    const zip = new yazl.ZipFile();
    zip.addBuffer(Buffer.from('hello'), 'readme.txt');
    zip.end();
    const plainZip = join(dir.path, 'plain.bin');
    await pipeline(zip.outputStream, createWriteStream(plainZip));
    await expectAppError(openTorchZip(plainZip), 'CHECKPOINT_INVALID', `${plainZip}: a zip archive without <archive>/data.pkl`);

    const text = join(dir.path, 'text.bin');
    await writeFile(text, 'not a checkpoint\n');
    await expectAppError(openTorchZip(text), 'CHECKPOINT_INVALID', `${text}: not a PyTorch zip checkpoint`);
  });

  it('reports a missing storage record as CHECKPOINT_INVALID', async () => {
    const source = await writeExample('incomplete-src.bin');
    const file = await openFile(source);
    const zip = new yazl.ZipFile();
    for (const entry of (await readZipDirectory(file)).values()) {
      if (entry.name !== 'incomplete-src/data/2') zip.addBuffer(await readZipEntry(file, entry), entry.name, { compress: false });
    }
    await file.close();
    zip.end();
    const path = join(dir.path, 'incomplete.bin');
    await pipeline(zip.outputStream, createWriteStream(path));
    await expectAppError(openTorchZip(path), 'CHECKPOINT_INVALID', 'needs storage record data/2');
  });
});
