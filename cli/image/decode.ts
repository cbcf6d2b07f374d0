import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp from 'sharp';
import { AppError } from '../../src/core/errors.ts';
import { decodeBmp } from '../../src/core/image/bmpDecode.ts';
import { gifTransparentColour } from '../../src/core/image/gifTransparency.ts';
import { IMAGE_LIMITS, inspectImageBytes, type ImageHeaderInfo } from '../../src/core/image/inspectImage.ts';
import { samplesToRgb, type SampleLayout } from '../../src/core/image/pilConvert.ts';
import { FORMAT_NAMES } from '../../src/core/image/sniff.ts';
import type { RgbImage } from '../../src/core/vision/rgbImage.ts';

/** Decoded pixels plus what the header said (format, EXIF orientation for a warning). */
export interface DecodedImage extends RgbImage {
  header: ImageHeaderInfo;
}

/**
 * Decodes an image file to the 8-bit RGB that DepictQA's `Image.open(path).convert("RGB")` gives:
 * 1. the src/core/image rules run first, on the header alone (format, damage, size limits), so a
 *    decompression bomb is refused before libvips allocates anything;
 * 2. sharp decodes the first frame with the embedded ICC profile ignored (PIL ignores it too) and without
 *    EXIF auto-orientation (PIL does not rotate; see exifOrientation.ts);
 * 3. PIL's own channel conversions (pilConvert.ts) turn grey, alpha, CMYK and 16-bit samples into RGB.
 * BMP, which libvips cannot read, goes to a small decoder of our own; a GIF's transparent pixels get the
 * palette colour PIL gives them.
 */
export async function decodeImageFile(path: string): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new AppError('FILE_NOT_FOUND', `${path}: cannot read the file`, { cause });
  }
  return decodeImageBytes(bytes, basename(path));
}

export async function decodeImageBytes(bytes: Uint8Array, fileName: string): Promise<DecodedImage> {
  // 1. Rules on the header.
  const header = inspectImageBytes(bytes, fileName);
  if (header.format === 'bmp') return { ...decodeBmp(bytes, fileName), header };

  // 2. Decode.
  try {
    const open = () =>
      sharp(bytes, {
        ignoreIcc: true,
        autoOrient: false,
        limitInputPixels: IMAGE_LIMITS.maxPixels,
        failOn: 'error',
        page: 0,
        pages: 1,
      });
    const metadata = await open().metadata();
    let image: RgbImage;
    if (metadata.space === 'cmyk') {
      // Keep libvips from converting through a CMYK profile: hand over the raw inks, convert like PIL.
      const { data, info } = await open()
        .pipelineColourspace('cmyk')
        .toColourspace('cmyk')
        .raw()
        .toBuffer({ resolveWithObject: true });
      image = samplesToRgb(new Uint8Array(data), info.width, info.height, 'cmyk');
    } else if (header.format === 'png' && metadata.depth === 'ushort') {
      // 16-bit PNG: take the stored 16-bit samples; PIL's reduction to 8 bits depends on the layout.
      const grey = metadata.channels <= 2;
      const { data, info } = await open()
        .toColourspace(grey ? 'grey16' : 'rgb16')
        .raw({ depth: 'ushort' })
        .toBuffer({ resolveWithObject: true });
      const samples = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
      image = samplesToRgb(samples, info.width, info.height, layoutOf(info.channels));
    } else if (header.format === 'gif') {
      // libvips renders transparent GIF pixels colourless; PIL keeps the transparent index's palette colour.
      const { data, info } = await open().ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const rgba = new Uint8Array(data);
      const colour = gifTransparentColour(bytes);
      if (colour !== undefined) {
        for (let i = 0; i < rgba.length; i += 4) if (rgba[i + 3] === 0) rgba.set(colour, i);
      }
      image = samplesToRgb(rgba, info.width, info.height, 'rgba');
    } else {
      const { data, info } = await open().raw().toBuffer({ resolveWithObject: true });
      image = samplesToRgb(new Uint8Array(data), info.width, info.height, layoutOf(info.channels));
    }
    return { ...image, header };
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    const reason = cause instanceof Error ? (cause.message.split('\n')[0] ?? cause.message) : String(cause);
    throw new AppError(
      'IMAGE_DECODE_FAILED',
      `${fileName}: the ${FORMAT_NAMES[header.format]} data is damaged or cut short (${reason})`,
      { cause, hint: 'Export or download the image again.' },
    );
  }
}

function layoutOf(channels: number): SampleLayout {
  switch (channels) {
    case 1:
      return 'grey';
    case 2:
      return 'greyAlpha';
    case 3:
      return 'rgb';
    case 4:
      return 'rgba';
    default:
      throw new AppError('INTERNAL', `the decoder returned ${channels} channels`);
  }
}
