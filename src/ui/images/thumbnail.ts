/** Longest side of list thumbnails, in CSS pixels × 2 (sharp on high-density screens). */
const THUMBNAIL_SIDE = 96;

/** Thumbnails made when a file was read, by its SHA-256: saving a run then decodes no image again. */
const made = new Map<string, Promise<Blob | null>>();

/**
 * A small WebP (PNG where the browser cannot encode WebP) of a decoded picture, for the history list; the bitmap
 * is closed. Null when this browser cannot draw it off-screen: the list then shows an icon.
 */
export function thumbnailOf(bitmap: ImageBitmap): Promise<Blob | null> {
  if (typeof OffscreenCanvas === 'undefined') {
    bitmap.close();
    return Promise.resolve(null);
  }
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) {
    bitmap.close();
    return Promise.resolve(null);
  }
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return canvas.convertToBlob({ type: 'image/webp', quality: 0.8 }).catch(() => null);
}

/** Keeps the thumbnail made from the decode that checked a file, for when a run with it is saved. */
export function rememberThumbnail(sha256: string, thumbnail: Promise<Blob | null>): void {
  made.set(sha256, thumbnail);
}

/** The thumbnail of a file: the one made when it was read, else one made now (a file restored from history). */
export async function makeThumbnail(sha256: string, blob: Blob): Promise<Blob | null> {
  const known = made.get(sha256);
  if (known !== undefined) return known;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'none' });
  } catch {
    // The slot accepted the file, so it decoded once; a second failure only costs the preview.
    return null;
  }
  return thumbnailOf(bitmap);
}
