import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../core/vision/rgbImage.ts';
import { createMetricsWorkerApi } from './metricsWorkerApi.ts';

/** A 16×16 picture whose pixels depend on its file's first byte. */
async function fakeDecode(blob: Blob): Promise<RgbImage> {
  const seed = new Uint8Array(await blob.arrayBuffer())[0]!;
  if (seed === 0) throw new Error('not an image');
  return { width: 16, height: 16, data: Uint8Array.from({ length: 16 * 16 * 3 }, (_, i) => (i * seed) % 251) };
}

const file = (id: string, byte: number) => ({ id, name: `${id}.png`, blob: new Blob([new Uint8Array([byte])]) });

describe('the metrics worker', () => {
  it('decodes a file once while it stays among the last three used: the reference compared with A, with B, then mapped', async () => {
    const worker = createMetricsWorkerApi(fakeDecode);
    const [reference, a, b] = [file('ref', 3), file('a', 5), file('b', 7)];
    const first = await worker.compareFiles(reference, a, { ssimMap: false });
    await worker.compareFiles(reference, b, { ssimMap: false });
    await worker.differenceMap(reference, a, { mode: 'luma' });
    expect(await worker.decodes()).toBe(3);
    // The same numbers from the kept pixels.
    const { timingsMs: _first, ...values } = first;
    const { timingsMs: _again, ...again } = await worker.compareFiles(reference, a, { ssimMap: false });
    expect(again).toEqual(values);
    // A fourth file pushes out the least recently used (B), which is decoded again when asked for.
    await worker.compareFiles(reference, file('c', 9), { ssimMap: false });
    await worker.compareFiles(reference, b, { ssimMap: false });
    expect(await worker.decodes()).toBe(5);
  });

  it('keeps no failed decode: the next call tries again and fails again with the reason', async () => {
    const worker = createMetricsWorkerApi(fakeDecode);
    const broken = file('broken', 0);
    await expect(worker.compareFiles(file('ref', 3), broken)).rejects.toThrow('not an image');
    await expect(worker.compareFiles(file('ref', 3), broken)).rejects.toThrow('not an image');
    expect(await worker.decodes()).toBe(3);
  });

  it('crops a tile from the kept pixels, row by row, and refuses a tile outside the image', async () => {
    const worker = createMetricsWorkerApi(fakeDecode);
    const a = file('a', 5);
    const whole = await fakeDecode(a.blob);
    const crop = await worker.cropFile(a, { row: 1, col: 2, x: 10, y: 4, w: 6, h: 3 });
    expect([crop.width, crop.height]).toEqual([6, 3]);
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 6; x++) {
        for (let c = 0; c < 3; c++) expect(crop.data[(y * 6 + x) * 3 + c]).toBe(whole.data[((4 + y) * 16 + 10 + x) * 3 + c]);
      }
    }
    await worker.cropFile(a, { row: 0, col: 0, x: 0, y: 0, w: 16, h: 16 });
    expect(await worker.decodes()).toBe(1);
    await expect(worker.cropFile(a, { row: 0, col: 0, x: 12, y: 0, w: 6, h: 3 })).rejects.toThrow('a.png is 16×16: the tile 6×3 at 12, 0 lies outside it.');
  });
});
