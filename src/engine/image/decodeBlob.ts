import { AppError } from '../../core/errors.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';

/**
 * Decodes an image file to 8-bit RGB in a worker or page: stored orientation, no colour management, alpha
 * dropped. Browsers hand canvases premultiplied pixels, so fully transparent pixels come back black where
 * PIL's convert("RGB") would keep their stored colour; opaque pixels are exact.
 */
export async function decodeBlobToRgb(blob: Blob, name: string): Promise<RgbImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (cause) {
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded.`, { hint: 'Export it again as PNG or JPEG.', cause });
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new AppError('INTERNAL', 'OffscreenCanvas 2D context is unavailable in this browser.');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data; // [h, w, 4]
  const rgb = new Uint8Array(width * height * 3);
  for (let source = 0, target = 0; source < rgba.length; source += 4, target += 3) {
    rgb[target] = rgba[source]!;
    rgb[target + 1] = rgba[source + 1]!;
    rgb[target + 2] = rgba[source + 2]!;
  }
  return { width, height, data: rgb };
}
