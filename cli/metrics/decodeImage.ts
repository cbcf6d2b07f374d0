import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { AppError } from '../../src/core/errors.ts';
import type { MetricsImage } from '../../src/core/metrics/image.ts';

/**
 * Decodes an image file to 8-bit pixels for the metrics: grey files (with or without alpha) stay grey,
 * everything else becomes sRGB; alpha is dropped, 16-bit samples are reduced to 8 bits. EXIF orientation
 * is ignored, as in the page and in DepictQA's PIL loading: pixels as stored, so a CLI score equals the page's.
 */
export async function decodeImage(path: string): Promise<MetricsImage> {
  try {
    await stat(path);
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${path}: no such file`, { cause });
  }
  try {
    const metadata = await sharp(path).metadata();
    const grey = metadata.channels <= 2;
    const { data, info } = await sharp(path)
      .removeAlpha()
      .toColourspace(grey ? 'b-w' : 'srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    if (channels !== 1 && channels !== 3) {
      throw new Error(`decoded to ${channels} channels`);
    }
    // A Buffer may view a shared pool; the metrics (and a worker transfer) want their own buffer.
    return { width: info.width, height: info.height, channels, data: new Uint8Array(data), name: path };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new AppError('IMAGE_DECODE_FAILED', `${path}: cannot decode the image (${reason})`, {
      cause,
      hint: 'Use a PNG, JPEG, WebP, TIFF or GIF file.',
    });
  }
}
