import type { MetricsOptions, MetricsResult } from '../core/metrics/computeMetrics.ts';
import { createMetricsApi, type MetricsApi } from '../core/metrics/metricsApi.ts';
import { computeDiffMap, type DiffMap, type DiffOptions } from '../core/viewer/diffMap.ts';
import { transfer } from 'comlink';
import { decodeBlobToRgb } from './image/decodeBlob.ts';

/** The metrics worker's API: the pure metrics, plus decoding of the user's files inside the worker. */
export interface MetricsWorkerApi extends MetricsApi {
  compareFiles(reference: Blob, distorted: Blob, names: { reference: string; distorted: string }, options?: MetricsOptions): Promise<MetricsResult>;
  /** The viewer's difference heat map of two files, computed here so a large image never blocks the page. */
  differenceMap(reference: Blob, distorted: Blob, names: { reference: string; distorted: string }, options: DiffOptions): Promise<DiffMap>;
}

export function createMetricsWorkerApi(): MetricsWorkerApi {
  const api = createMetricsApi();
  return {
    compute: api.compute,
    async compareFiles(reference, distorted, names, options) {
      const [ref, dist] = await Promise.all([decodeBlobToRgb(reference, names.reference), decodeBlobToRgb(distorted, names.distorted)]);
      return api.compute(
        { ...ref, channels: 3, name: names.reference },
        { ...dist, channels: 3, name: names.distorted },
        options,
      );
    },
    async differenceMap(reference, distorted, names, options) {
      const [ref, dist] = await Promise.all([decodeBlobToRgb(reference, names.reference), decodeBlobToRgb(distorted, names.distorted)]);
      const map = computeDiffMap({ ...ref, channels: 3, name: names.reference }, { ...dist, channels: 3, name: names.distorted }, options);
      return transfer(map, [map.data.buffer as ArrayBuffer]);
    },
  };
}
