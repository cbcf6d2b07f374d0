import { AppError } from '../../core/errors.ts';
import type { SlotImage } from '../../state/useImageStore.ts';

/** Reads a file the user dropped, pasted or picked, and checks that the browser can decode it. */
export async function loadImageFile(file: Blob, name: string): Promise<SlotImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.length === 0) {
    throw new AppError('IMAGE_DECODE_FAILED', `${name} is empty (0 bytes).`, { hint: 'Pick the image file again.' });
  }
  let bitmap: ImageBitmap;
  try {
    // Orientation and colour as stored, as the model saw images in training (PIL ignores EXIF orientation).
    bitmap = await createImageBitmap(file, { imageOrientation: 'none', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
  } catch (cause) {
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded as an image.`, {
      hint: 'The file may be damaged or in a format this browser cannot read. Save it as PNG or JPEG and try again.',
      cause,
    });
  }
  const { width, height } = bitmap;
  bitmap.close();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return {
    id: [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join(''),
    name,
    format: formatLabel(file.type, name),
    bytes: bytes.length,
    width,
    height,
    blob: file,
    previewUrl: URL.createObjectURL(file),
  };
}

function formatLabel(mime: string, name: string): string {
  const fromMime = mime.startsWith('image/') ? mime.slice('image/'.length) : '';
  const fromName = name.includes('.') ? (name.split('.').pop() ?? '') : '';
  const label = (fromMime || fromName || 'image').replace('jpeg', 'jpg').toUpperCase();
  return label === 'JPG' ? 'JPEG' : label;
}
