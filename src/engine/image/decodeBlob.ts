import { AppError } from '../../core/errors.ts';
import { orientationFromFrame, storedFromDisplayed, swapsSides, type ExifOrientation } from '../../core/image/exifOrientation.ts';
import { inspectImageBytes } from '../../core/image/inspectImage.ts';
import { FORMAT_MIME } from '../../core/image/sniff.ts';
import type { RgbImage } from '../../core/vision/rgbImage.ts';

/**
 * Decodes an image file to 8-bit RGB in a worker or page, the way DepictQA's PIL `convert("RGB")` reads it:
 * stored orientation, no colour management, alpha dropped WITHOUT compositing (a transparent pixel keeps its
 * stored colour), the first frame of an animation. Measured in Chromium against PIL 9.4 (e2e/modelPixels.spec.ts):
 * 1. The header rules run first (format, damage, size limits): a decompression bomb never reaches a decoder.
 * 2. WebCodecs' ImageDecoder, told the type the bytes say (without a type it cannot run at all; a file's name or
 *    claimed type may lie). Packed RGB(A) frames (PNG, GIF, BMP, lossless WebP, CMYK and grey JPEG) are exact,
 *    transparent colours included.
 * 3. Colour JPEG and lossy WebP come back as planar YUV, and the browser's YUV → RGB differs from libjpeg's and
 *    libwebp's by up to ±7. Those are decoded again through an ImageBitmap, which takes the codec's own RGB
 *    (identical to PIL); they have no alpha to lose on the canvas. The bitmap is EXIF-rotated, so it is drawn
 *    back with the orientation the frame reported.
 * 4. Without WebCodecs, the same canvas: it premultiplies alpha, so fully transparent pixels come back black
 *    (opaque pixels are exact); the EXIF tag read from the header turns it back.
 * A 16-bit PNG is reduced to 8 bits by the browser (the high byte); PIL clips 16-bit grey instead, and the page
 * says which the model gets (src/core/image/slotNotes.ts).
 */
export async function decodeImageToRgb(bytes: Uint8Array, name: string): Promise<RgbImage> {
  const header = inspectImageBytes(bytes, name);
  const type = FORMAT_MIME[header.format];
  const data = bytes as Uint8Array<ArrayBuffer>;
  try {
    if (typeof ImageDecoder !== 'undefined' && (await ImageDecoder.isTypeSupported(type))) {
      const decoded = await decodeWithImageDecoder(data, type);
      if ('data' in decoded) return decoded;
      return await decodeBlobWithCanvas(new Blob([data], { type }), decoded.orientation);
    }
    return await decodeBlobWithCanvas(new Blob([data], { type }), header.exifOrientation);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded.`, { hint: 'Export it again as PNG or JPEG.', cause });
  }
}

/** The same for a Blob (a dropped file); its own `type` is not trusted. */
export async function decodeBlobToRgb(blob: Blob, name: string): Promise<RgbImage> {
  return decodeImageToRgb(new Uint8Array(await blob.arrayBuffer()), name);
}

/** A frame the browser would have to convert from YUV: decode it elsewhere, knowing how the browser orients it. */
interface YuvFrame {
  orientation: ExifOrientation;
}

async function decodeWithImageDecoder(data: Uint8Array<ArrayBuffer>, type: string): Promise<RgbImage | YuvFrame> {
  // premultiplyAlpha is in the WebCodecs spec and in Chromium, not yet in TypeScript's DOM types.
  const init: ImageDecoderInit & { premultiplyAlpha: 'none' } = {
    data,
    type,
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
    preferAnimation: false, // the first frame of an animation, as PIL opens it
  };
  const decoder = new ImageDecoder(init);
  try {
    const { image: frame } = await decoder.decode({ frameIndex: 0 });
    try {
      const order = frame.format === null ? undefined : PACKED_ORDER[frame.format];
      if (order !== undefined) return await packedFrameToRgb(frame, order);
      // rotation and flip are newer than TypeScript's DOM types.
      const { rotation = 0, flip = false } = frame as VideoFrame & { rotation?: number; flip?: boolean };
      const orientation = orientationFromFrame(rotation, flip);
      if (orientation === undefined) throw new AppError('IMAGE_DECODE_FAILED', `The browser reports an unexpected rotation of ${rotation}°.`);
      return { orientation };
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
 * A packed 8-bit frame's pixels as stored, copied as is and reordered here: Chromium converts to RGBA through
 * premultiplied pixels (measured: a transparent pixel's colour becomes 0). The size is `visibleRect`'s, never
 * displayWidth/displayHeight, which an EXIF rotation swaps while `copyTo` still writes the stored rows.
 */
async function packedFrameToRgb(frame: VideoFrame, [r, g, b]: [number, number, number]): Promise<RgbImage> {
  const width = frame.visibleRect?.width ?? frame.codedWidth;
  const height = frame.visibleRect?.height ?? frame.codedHeight;
  const packed = new Uint8Array(frame.allocationSize());
  const [plane] = await frame.copyTo(packed);
  const stride = plane?.stride ?? width * 4;
  const offset = plane?.offset ?? 0;
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

/**
 * Pixels through an ImageBitmap and a canvas (exported for the browser tests). Chromium's createImageBitmap
 * applies the EXIF orientation whatever `imageOrientation` says ('none' is a deprecated alias of 'from-image',
 * 'flipY' rotates too), so the bitmap is drawn back to the stored orientation `orientation`.
 */
export async function decodeBlobWithCanvas(blob: Blob, orientation: ExifOrientation = 1): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, { premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  const rotated = swapsSides(orientation);
  const width = rotated ? bitmap.height : bitmap.width;
  const height = rotated ? bitmap.width : bitmap.height;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (context === null) throw new AppError('INTERNAL', 'OffscreenCanvas 2D context is unavailable in this browser.');
  context.imageSmoothingEnabled = false;
  context.setTransform(...storedFromDisplayed(orientation, width, height));
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
