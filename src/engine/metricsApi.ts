import { transfer } from 'comlink';
import { computeMetrics } from '../core/metrics/computeMetrics.ts';
import type { MetricsImage } from '../core/metrics/image.ts';
import type { MetricsApi } from '../core/metrics/metricsApi.ts';

/**
 * The metrics behind the worker boundary: `workers/metrics.worker.ts` (inside `createMetricsWorkerApi()`) and
 * cli/metrics/nodeWorker.ts expose this object through Comlink.
 */
export function createMetricsApi(): MetricsApi {
  return {
    compute(reference, distorted, options) {
      const result = computeMetrics(reference, distorted, options);
      // The map can be tens of MB: hand its buffer back instead of copying it (a no-op in-thread).
      const buffers = result.ssimMap === null ? [] : [result.ssimMap.data.buffer as ArrayBuffer];
      return Promise.resolve(transfer(result, buffers));
    },
  };
}

/**
 * Marks an image's pixel buffer for transfer to the worker instead of a copy. The caller's copy is
 * detached afterwards, so keep a copy of an image you compare again (e.g. the reference for a second
 * distorted image). The view must cover its whole buffer: transferring a shared pool would move more.
 */
export function transferImage(image: MetricsImage): MetricsImage {
  const { data } = image;
  if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength) return image;
  return transfer(image, [data.buffer as ArrayBuffer]);
}
