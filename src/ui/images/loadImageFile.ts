import { AppError } from '../../core/errors.ts';
import { FORMAT_NAMES } from '../../core/image/sniff.ts';
import { IMAGE_LIMITS, inspectImageBytes } from '../../core/image/inspectImage.ts';
import { sha256Hex } from '../../core/sha256.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { useModelStore } from '../../state/useModelStore.ts';
import { rememberThumbnail, thumbnailOf } from './thumbnail.ts';

/**
 * Reads a file the user dropped, pasted or picked: checks format and size on the header first (so a
 * decompression bomb is refused before decoding), then checks that this browser can decode it.
 */
export async function loadImageFile(file: Blob, name: string): Promise<SlotImage> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  // A picture too thin for the loaded model's resize rule is refused now; without a model, when one reads it.
  const header = inspectImageBytes(bytes, name, IMAGE_LIMITS, useModelStore.getState().model?.imageRule);
  const id = await sha256Hex(bytes);
  try {
    // The one decode of the file on the page's thread: it proves the browser can read it, and makes its history thumbnail.
    rememberThumbnail(id, thumbnailOf(await createImageBitmap(file, { imageOrientation: 'none' })));
  } catch (cause) {
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be decoded as a ${FORMAT_NAMES[header.format]} image.`, {
      hint: 'The file may be truncated or damaged. Export it again as PNG or JPEG and retry.',
      cause,
    });
  }
  return {
    // The image's one hash: the engine keys its features by it and history its stored file.
    id,
    name,
    format: FORMAT_NAMES[header.format],
    bytes: bytes.length,
    // The stored size, which the model sees (a bitmap's size would follow the EXIF rotation).
    width: header.width,
    height: header.height,
    exifRotated: header.exifOrientation !== undefined && header.exifOrientation !== 1,
    ...(header.sixteenBit === true ? { sixteenBit: true } : {}),
    blob: file,
    previewUrl: URL.createObjectURL(file),
  };
}

/**
 * The picture as viewers show it (EXIF rotation applied), re-encoded losslessly as PNG: for a user who wants the
 * model to judge the photo upright. The pixels are the decoder's, not colour-managed, like every other input.
 */
export async function encodeAsDisplayed(file: Blob, name: string): Promise<{ blob: Blob; name: string }> {
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image', premultiplyAlpha: 'none', colorSpaceConversion: 'none' });
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d');
    if (context === null) throw new AppError('INTERNAL', 'OffscreenCanvas 2D context is unavailable in this browser.');
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    return { blob: await canvas.convertToBlob({ type: 'image/png' }), name: `${name.replace(/\.[^.]*$/, '')} (as displayed).png` };
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('IMAGE_DECODE_FAILED', `${name} could not be turned as displayed.`, { hint: 'Rotate it in an image editor and export it as PNG.', cause });
  }
}
