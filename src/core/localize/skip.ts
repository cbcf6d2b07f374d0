import { toLuma } from '../metrics/image.ts';
import { ssim, type SsimMap } from '../metrics/ssim.ts';
import type { RgbImage } from '../vision/rgbImage.ts';
import type { TileRect } from './grid.ts';

/**
 * Which tiles need no model call: A and B pixel-identical there, or every image to be judged within a tolerance of
 * the reference by the per-pixel SSIM map (full resolution, so the map's pixels are the image's). Identical regions
 * cost nothing.
 */

export type SkipReason = 'identical' | 'within-tolerance';

/** How a skipped tile reads in a record, a table and the viewer's legend. */
export function skipText(reason: SkipReason, tolerance: number): string {
  return reason === 'identical' ? 'no visible difference: identical pixels' : `no visible difference: SSIM to the reference at least ${formatLevel(1 - tolerance)}`;
}

const formatLevel = (value: number) => String(Number(value.toFixed(4)));

/** Default tolerance: a tile is within it when its mean SSIM to the reference is at least 1 − 0.005. */
export const DEFAULT_SKIP_TOLERANCE = 0.005;

export interface MapImages {
  reference: RgbImage | null;
  a: RgbImage;
  b: RgbImage | null;
}

/** The SSIM maps of A and B against the reference, once per image pair (none without a reference). */
export interface ReferenceMaps {
  a: SsimMap | null;
  b: SsimMap | null;
}

export function referenceMaps(images: MapImages): ReferenceMaps {
  if (images.reference === null) return { a: null, b: null };
  const reference = toLuma({ ...images.reference, channels: 3 });
  const map = (image: RgbImage | null) => (image === null ? null : ssim(reference, toLuma({ ...image, channels: 3 }), { downsample: false, map: true }).map!);
  return { a: map(images.a), b: map(images.b) };
}

/** Why `rect` needs no question, or null when it does. */
export function tileSkip(rect: TileRect, images: MapImages, maps: ReferenceMaps, tolerance = DEFAULT_SKIP_TOLERANCE): SkipReason | null {
  const judged = images.b === null ? [images.a] : [images.a, images.b];
  const other = images.b ?? images.reference;
  if (other !== null && sameCrop(rect, images.a, other)) return 'identical';
  const judgedMaps = images.b === null ? [maps.a] : [maps.a, maps.b];
  if (judgedMaps.length === judged.length && judgedMaps.every((map) => map !== null && meanOver(map, rect) >= 1 - tolerance)) return 'within-tolerance';
  return null;
}

function sameCrop(rect: TileRect, first: RgbImage, second: RgbImage): boolean {
  const stride = first.width * 3;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    const start = y * stride + rect.x * 3;
    const end = start + rect.w * 3;
    for (let i = start; i < end; i++) if (first.data[i] !== second.data[i]) return false;
  }
  return true;
}

function meanOver(map: SsimMap, rect: TileRect): number {
  let sum = 0;
  for (let y = rect.y; y < rect.y + rect.h; y++) for (let x = rect.x; x < rect.x + rect.w; x++) sum += map.data[y * map.width + x]!;
  return sum / (rect.w * rect.h);
}

/** The crop of `rect` as its own image. */
export function cropRgb(image: RgbImage, rect: TileRect): RgbImage {
  const data = new Uint8Array(rect.w * rect.h * 3);
  for (let y = 0; y < rect.h; y++) {
    const start = ((rect.y + y) * image.width + rect.x) * 3;
    data.set(image.data.subarray(start, start + rect.w * 3), y * rect.w * 3);
  }
  return { width: rect.w, height: rect.h, data };
}
