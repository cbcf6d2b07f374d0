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
});
