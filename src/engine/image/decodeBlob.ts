import { AppError } from '../../core/errors.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';

/**
 * Decodes an image file to 8-bit RGB in a worker or page, the way DepictQA's PIL `convert("RGB")` does:
 * stored orientation, no colour management, alpha dropped WITHOUT compositing (a transparent pixel keeps its
 * stored colour). WebCodecs' ImageDecoder gives unpremultiplied pixels; where it is missing, a canvas is used,
 * which premultiplies, so fully transparent pixels come back black (opaque pixels are exact either way).
 */
export async function decodeBlobToRgb(blob: Blob, name: string): Promise<RgbImage> {
  try {
    if (typeof ImageDecoder !== 'undefined' && blob.type !== '' && (await ImageDecoder.isTypeSupported(blob.type))) {
      return await decodeWithImageDecoder(blob);
    }
    return await decodeWithCanvas(blob);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded.`, { hint: 'Export it again as PNG or JPEG.', cause });
  }
}

async function decodeWithImageDecoder(blob: Blob): Promise<RgbImage> {
  // premultiplyAlpha is in the WebCodecs spec and in Chromium, not yet in TypeScript's DOM types.
  const init: ImageDecoderInit & { premultiplyAlpha: 'none' } = {
    data: blob.stream(),
    type: blob.type,
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
    preferAnimation: false, // the first frame of an animation, as PIL opens it
  };
  const decoder = new ImageDecoder(init);
  try {
    const { image: frame } = await decoder.decode({ frameIndex: 0 });
    try {
      return await frameToRgb(frame);
    } finally {
      frame.close();
    }
  } finally {
    decoder.close();
  }
}

const PACKED_ORDER: Record<string, [number, number, number]> = {
  RGBA: [0, 1, 2],
  RGBX: [0, 1, 2],
  BGRA: [2, 1, 0],
  BGRX: [2, 1, 0],
};

/**
 * Chromium converts to RGBA through premultiplied pixels (measured: a transparent pixel's colour becomes 0), so a
 * frame already in a packed 8-bit RGB(A) order is copied as is and reordered here; other layouts (the YUV of a
 * JPEG, which has no alpha) are converted by the browser.
 */
async function frameToRgb(frame: VideoFrame): Promise<RgbImage> {
  const width = frame.displayWidth;
  const height = frame.displayHeight;
  const order = frame.format === null ? undefined : PACKED_ORDER[frame.format];
  if (order === undefined) {
    const rgba = new Uint8Array(width * height * 4);
    await frame.copyTo(rgba, { format: 'RGBA', colorSpace: 'srgb' });
    return { width, height, data: rgbaToRgb(rgba) };
  }
  const packed = new Uint8Array(frame.allocationSize());
  const [plane] = await frame.copyTo(packed);
  const stride = plane?.stride ?? width * 4;
  const offset = plane?.offset ?? 0;
  const [r, g, b] = order;
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0, target = 0; y < height; y++) {
    for (let x = 0, source = offset + y * stride; x < width; x++, source += 4, target += 3) {
      rgb[target] = packed[source + r]!;
      rgb[target + 1] = packed[source + g]!;
      rgb[target + 2] = packed[source + b]!;
    }
  }
  return { width, height, data: rgb };
}

async function decodeWithCanvas(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new AppError('INTERNAL', 'OffscreenCanvas 2D context is unavailable in this browser.');
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { width, height, data: rgbaToRgb(context.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data) };
}

/** [h, w, 4] → [h, w, 3], alpha dropped. */
function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let source = 0, target = 0; source < rgba.length; source += 4, target += 3) {
    rgb[target] = rgba[source]!;
    rgb[target + 1] = rgba[source + 1]!;
    rgb[target + 2] = rgba[source + 2]!;
  }
  return rgb;
}
