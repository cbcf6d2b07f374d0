import { AppError } from '../errors.ts';
import { resizeTarget, type ResizeRule } from '../vision/resizeRule.ts';
import { readExifOrientation, type ExifOrientation } from './exifOrientation.ts';
import { readHeaderSize } from './headerSize.ts';
import { FORMAT_NAMES, sniffImageFormat, type ImageFormat } from './sniff.ts';

/**
 * Decoded-size limits, checked on the header before any pixel is decoded.
 * - Pixels: PIL's own decompression-bomb threshold, `Image.MAX_IMAGE_PIXELS` = 89,478,485 (2^30 / 12, about
 *   89.5 megapixels; PIL warns above it). Anything DepictQA's Python code would have opened without a warning
 *   is accepted: every camera up to 8K × 8K and most stitched panoramas. Decoded as RGBA by a browser that is
 *   at most 358 MB, plus 268 MB for our RGB copy, which a tab can still hold next to the model.
 * - Side: 32,767 pixels, the largest canvas side Chrome and Firefox accept, so an accepted image can always be
 *   drawn to an OffscreenCanvas for decoding; a wide panorama within the pixel limit fits.
 */
export interface ImageLimits {
  maxPixels: number;
  maxSide: number;
}

export const IMAGE_LIMITS: ImageLimits = { maxPixels: 89_478_485, maxSide: 32_767 };

export const SUPPORTED_FORMATS_TEXT = 'PNG, JPEG, WebP, GIF, BMP or AVIF';

/** What the header says, once the file has passed every rule. */
export interface ImageHeaderInfo {
  format: ImageFormat;
  width: number;
  height: number;
  /** present when the file carries an EXIF orientation tag (the model ignores it; see exifOrientation.ts) */
  exifOrientation?: ExifOrientation;
  /** present for a PNG with 16 bits per sample, which a browser reduces to 8 (see src/core/image/slotNotes.ts) */
  sixteenBit?: true;
}

function megapixels(pixels: number): string {
  const mp = pixels / 1e6;
  return mp >= 100 ? mp.toFixed(0) : mp >= 10 ? mp.toFixed(1) : mp.toFixed(2);
}

/**
 * The rules every image passes before decoding, with a one-line reason naming the file when it fails:
 * a known pixel format (not empty, not text, not SVG), a readable header, and a size within `limits`.
 * Throws AppError IMAGE_DECODE_FAILED, IMAGE_TOO_LARGE or IMAGE_TOO_SMALL.
 */
export function inspectImageBytes(bytes: Uint8Array, fileName: string, limits: ImageLimits = IMAGE_LIMITS, rule?: ResizeRule): ImageHeaderInfo {
  const supported = `Choose a ${SUPPORTED_FORMATS_TEXT} file.`;
  const sniffed = sniffImageFormat(bytes);
  switch (sniffed.kind) {
    case 'empty':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName}: the file is empty`, {
        hint: 'Choose the file again; it may not have finished downloading or copying.',
      });
    case 'svg':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName} is an SVG, which has no pixels to judge`, {
        hint: 'SVG is a vector drawing: export it to PNG at the size you want judged.',
      });
    case 'text':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName} is not an image (it starts with text)`, { hint: supported });
    case 'heic':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName} is a HEIC/HEIF photo, which browsers cannot decode`, {
        hint: 'Convert it to JPEG or PNG (iPhone: Settings → Camera → Formats → Most Compatible).',
      });
    case 'tiff':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName} is a TIFF file, which browsers cannot decode`, {
        hint: 'Save it as PNG.',
      });
    case 'unknown':
      throw new AppError('IMAGE_DECODE_FAILED', `${fileName} is not a ${SUPPORTED_FORMATS_TEXT} image`, { hint: supported });
    case 'image':
      break;
  }
  const format = sniffed.format;
  const header = readHeaderSize(bytes, format);
  if (!header.ok) {
    throw new AppError('IMAGE_DECODE_FAILED', `${fileName}: damaged ${FORMAT_NAMES[format]} header (${header.problem})`, {
      hint: 'The file may be truncated or corrupt; export it again.',
    });
  }
  const { width, height } = header;
  if (width === 0 || height === 0) {
    throw new AppError('IMAGE_DECODE_FAILED', `${fileName}: the header declares a size of ${width} × ${height} pixels`, {
      hint: 'The file is damaged; export it again.',
    });
  }
  const pixels = width * height;
  if (pixels > limits.maxPixels || width > limits.maxSide || height > limits.maxSide) {
    throw new AppError(
      'IMAGE_TOO_LARGE',
      `${fileName} is ${width} × ${height} pixels (${megapixels(pixels)} megapixels); the limit is ` +
        `${megapixels(limits.maxPixels)} megapixels and ${limits.maxSide} pixels a side`,
      { hint: 'Downscale it first: the model looks at a much smaller copy anyway.' },
    );
  }
  try {
    // Only a model's own rule says whether it can read a thin picture (224 / 672 cannot read 2000 × 1).
    if (rule !== undefined) resizeTarget({ height, width }, rule);
  } catch (cause) {
    if (cause instanceof AppError) {
      throw new AppError(cause.code, `${fileName}: ${cause.message}`, { hint: cause.hint, cause });
    }
    throw cause;
  }
  const exifOrientation = readExifOrientation(bytes);
  // IHDR's bit depth, right after the size (the header check above has read IHDR).
  const sixteenBit = format === 'png' && bytes[24] === 16;
  return { format, width, height, ...(exifOrientation === undefined ? {} : { exifOrientation }), ...(sixteenBit ? { sixteenBit } : {}) };
}
