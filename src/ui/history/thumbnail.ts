/** Longest side of list thumbnails, in CSS pixels × 2 (sharp on high-density screens). */
const THUMBNAIL_SIDE = 96;

/**
 * A small WebP (PNG where the browser cannot encode WebP) of an image file, for the history list. Null when this
 * browser cannot draw it off-screen: the list then shows an icon, and the run is saved all the same.
 */
export async function makeThumbnail(blob: Blob): Promise<Blob | null> {
  if (typeof OffscreenCanvas === 'undefined') return null;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'none' });
  } catch {
    // The slot accepted the file, so it decoded once; a second failure only costs the preview.
    return null;
  }
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d');
  if (context === null) {
    bitmap.close();
    return null;
  }
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return canvas.convertToBlob({ type: 'image/webp', quality: 0.8 });
}
