import type { MetricsWorkerApi } from '../core/metrics/metricsApi.ts';
import { computeDiffMap } from '../core/viewer/diffMap.ts';
import { transfer } from 'comlink';
import { createMetricsApi } from './metricsApi.ts';
import { decodeBlobToRgb } from './image/decodeBlob.ts';

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
