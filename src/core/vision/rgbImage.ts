import { AppError } from '../errors.ts';

/**
 * 8-bit RGB pixels as PIL's `Image.convert("RGB")` holds them: row-major and interleaved,
 * `data[(y * width + x) * 3 + channel]`, i.e. [height, width, 3].
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** A wrong buffer length is a caller bug; say which numbers disagree. */
export function assertRgbImage(image: RgbImage, label = 'image'): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('INTERNAL', `${label}: invalid size ${width} × ${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new AppError(
      'INTERNAL',
      `${label}: the pixel buffer holds ${data.length} bytes, expected ${width} × ${height} × 3 = ${width * height * 3}`,
    );
  }
}
