import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { ExternalDataWriter, externalDataChunkName } from './ExternalDataWriter.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'external-data-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function filled(length: number, value: number): Uint8Array {
  return new Uint8Array(length).fill(value);
}

describe('ExternalDataWriter', () => {
  it('names chunks as transformers.js does', () => {
    expect(externalDataChunkName('decoder_model_merged_q4.onnx', 0)).toBe('decoder_model_merged_q4.onnx_data');
    expect(externalDataChunkName('decoder_model_merged_q4.onnx', 2)).toBe('decoder_model_merged_q4.onnx_data_2');
  });

  it('aligns offsets, pads with zeros, and starts a new chunk before the limit', async () => {
    const writer = new ExternalDataWriter(dir, 'm.onnx', { chunkLimitBytes: 256, alignmentBytes: 64 });
    const a = await writer.write(filled(10, 1));
    const b = await writer.write([filled(50, 2), filled(30, 3)]); // pieces are concatenated
    const c = await writer.write(filled(100, 4)); // 192 + 100 > 256 → next chunk
    const d = await writer.write(filled(256, 5)); // exactly the limit: a chunk of its own
    expect([a, b, c, d]).toEqual([
      { location: 'm.onnx_data', offset: 0, length: 10 },
      { location: 'm.onnx_data', offset: 64, length: 80 },
      { location: 'm.onnx_data_1', offset: 0, length: 100 },
      { location: 'm.onnx_data_2', offset: 0, length: 256 },
    ]);
    const files = await writer.close();
    expect(files).toEqual([
      { name: 'm.onnx_data', bytes: 144 },
      { name: 'm.onnx_data_1', bytes: 100 },
      { name: 'm.onnx_data_2', bytes: 256 },
    ]);
    for (const file of files) expect((await stat(join(dir, file.name))).size).toBe(file.bytes);
    const first = await readFile(join(dir, 'm.onnx_data'));
    expect([...first.subarray(0, 10)]).toEqual(Array(10).fill(1));
    expect([...first.subarray(10, 64)]).toEqual(Array(54).fill(0));
    expect([...first.subarray(64, 114)]).toEqual(Array(50).fill(2));
    expect([...first.subarray(114, 144)]).toEqual(Array(30).fill(3));
  });

  it('refuses a tensor larger than a chunk', async () => {
    const writer = new ExternalDataWriter(dir, 'm.onnx', { chunkLimitBytes: 128 });
    await expect(writer.write(filled(129, 1))).rejects.toThrow(AppError);
    await writer.close();
  });

  it('writes no file when nothing is written', async () => {
    expect(await new ExternalDataWriter(dir, 'm.onnx').close()).toEqual([]);
  });
});
