import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { computeMetrics } from '../../src/core/metrics/computeMetrics.ts';
import { transferImage } from '../../src/engine/metricsApi.ts';
import { synthetic } from '../../src/core/metrics/testing/distortions.ts';
import { startMetricsWorker } from './startMetricsWorker.ts';

const worker = await startMetricsWorker();
afterAll(() => worker.close());

describe('metrics in a worker thread through Comlink', () => {
  it('returns the same numbers as in-thread, with the SSIM map, and takes the pixels by transfer', async () => {
    const reference = synthetic(200, 190, false);
    const distorted = synthetic(200, 190, true);
    const expected = computeMetrics(reference, distorted);
    const sent = transferImage({ ...reference, data: reference.data.slice() });
    const result = await worker.api.compute(sent, transferImage({ ...distorted, data: distorted.data.slice() }));
    // Transferred, not copied: the sender's buffer is detached.
    expect(sent.data.byteLength).toBe(0);
    for (const key of ['psnrRgb', 'psnrLuma', 'ssim', 'msSsim', 'gmsd', 'identical'] as const) {
      expect(result[key]).toBe(expected[key]);
    }
    expect(result.ssimMap!.data).toBeInstanceOf(Float32Array);
    expect(Array.from(result.ssimMap!.data)).toEqual(Array.from(expected.ssimMap!.data));
  }, 30_000);

  it('throws an AppError with its code and hint across the boundary', async () => {
    const a = { ...synthetic(30, 20, false), name: 'a.png' };
    const b = { ...synthetic(20, 30, false), name: 'b.png' };
    const error: unknown = await worker.api.compute(a, b).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('IMAGE_SIZE_MISMATCH');
    expect((error as AppError).message).toBe('"b.png" is 20×30 but "a.png" is 30×20');
    expect((error as AppError).hint).toMatch(/same size/);
  }, 30_000);
});
