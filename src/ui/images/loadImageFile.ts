import { AppError } from '../../core/errors.ts';
import { FORMAT_NAMES } from '../../core/image/sniff.ts';
import { inspectImageBytes } from '../../core/image/inspectImage.ts';
import { sha256Hex } from '../../core/sha256.ts';
import type { SlotImage } from '../../state/useImageStore.ts';

/**
 * Reads a file the user dropped, pasted or picked: checks format and size on the header first (so a
 * decompression bomb is refused before decoding), then checks that this browser can decode it.
 */
export async function loadImageFile(file: Blob, name: string): Promise<SlotImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = inspectImageBytes(bytes, name);
  let bitmap: ImageBitmap;
  try {
    // Pixels as stored, as the model saw them in training: PIL ignores EXIF orientation and colour profiles.
    bitmap = await createImageBitmap(file, { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (cause) {
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded as a ${FORMAT_NAMES[header.format]} image.`, {
      hint: 'The file may be truncated or damaged. Export it again as PNG or JPEG and retry.',
      cause,
    });
  }
  const { width, height } = bitmap;
  bitmap.close();
  return {
    // The image's one hash: the engine keys its features by it and history its stored file.
    id: await sha256Hex(bytes),
    name,
    format: FORMAT_NAMES[header.format],
    bytes: bytes.length,
    width,
    height,
    exifRotated: header.exifOrientation !== undefined && header.exifOrientation !== 1,
    blob: file,
    previewUrl: URL.createObjectURL(file),
  };
}
