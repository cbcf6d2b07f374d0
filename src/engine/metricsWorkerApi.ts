import type { ImageFile, MetricsWorkerApi } from '../core/metrics/metricsApi.ts';
import type { RgbImage } from '../core/vision/rgbImage.ts';
import { computeDiffMap } from '../core/viewer/diffMap.ts';
import { AppError } from '../core/errors.ts';
import { cropRgb } from '../core/localize/skip.ts';
import { transfer } from 'comlink';
import { createMetricsApi } from './metricsApi.ts';
import { decodeBlobToRgb } from './image/decodeBlob.ts';

/** Decoded files kept by id: a reference and the two images compared with it. */
const KEPT_DECODES = 3;

export function createMetricsWorkerApi(decode: (blob: Blob, name: string) => Promise<RgbImage> = decodeBlobToRgb): MetricsWorkerApi {
  const api = createMetricsApi();
  const kept = new Map<string, Promise<RgbImage>>();
  let decodes = 0;
  const pixels = (file: ImageFile): Promise<RgbImage> => {
    let decoded = kept.get(file.id);
    if (decoded === undefined) {
      decodes++;
      decoded = decode(file.blob, file.name);
      // A file that failed to decode is not kept: the next call tries again (and says why again).
      decoded.catch(() => kept.delete(file.id));
    } else kept.delete(file.id);
    kept.set(file.id, decoded);
    while (kept.size > KEPT_DECODES) kept.delete(kept.keys().next().value!);
    return decoded;
  };
  const both = (reference: ImageFile, distorted: ImageFile) => Promise.all([pixels(reference), pixels(distorted)]);
  return {
    compute: api.compute,
    async compareFiles(reference, distorted, options) {
      const [ref, dist] = await both(reference, distorted);
      return api.compute({ ...ref, channels: 3, name: reference.name }, { ...dist, channels: 3, name: distorted.name }, options);
    },
    async differenceMap(reference, distorted, options) {
      const [ref, dist] = await both(reference, distorted);
      const map = computeDiffMap({ ...ref, channels: 3, name: reference.name }, { ...dist, channels: 3, name: distorted.name }, options);
      return transfer(map, [map.data.buffer as ArrayBuffer]);
    },
    async cropFile(file, rect) {
      const image = await pixels(file);
      if (rect.x < 0 || rect.y < 0 || rect.x + rect.w > image.width || rect.y + rect.h > image.height) {
        throw new AppError('IMAGE_SIZE_MISMATCH', `${file.name} is ${image.width}×${image.height}: the tile ${rect.w}×${rect.h} at ${rect.x}, ${rect.y} lies outside it.`, {
          hint: 'Make the quality map again for the images shown.',
        });
      }
      const crop = cropRgb(image, rect);
      return transfer(crop, [crop.data.buffer as ArrayBuffer]);
    },
    decodes: async () => decodes,
  };
}
