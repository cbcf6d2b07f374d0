import { ascii, u16be, u16le, u32be, u32le } from './bytes.ts';
import { sniffImageFormat } from './sniff.ts';

/**
 * EXIF orientation: this app FOLLOWS PIL AND IGNORES IT.
 *
 * DepictQA reads images with `Image.open(path).convert("RGB")`; PIL never applies the EXIF orientation by
 * itself (only `ImageOps.exif_transpose` would), so the published weights were trained and evaluated on the
 * stored, un-rotated pixels. Exactness wins over appearance: a rotated photo changes the patch grid (h × w
 * becomes w × h) and what the model is asked to judge. The Node decoder does not auto-orient (sharp rotates only
 * when asked). Browsers rotate: Chromium applies the tag in `createImageBitmap` whatever `imageOrientation`
 * says ('none' is a deprecated alias of 'from-image'), and WebCodecs' ImageDecoder reports it as the frame's
 * rotation while copying the stored pixels. So the browser decoder reads frames at their stored size, and its
 * canvas fallback turns the rotated bitmap back with `storedFromDisplayed`. The page shows the photo rotated and
 * says that the model sees it as stored.
 */

/** Orientation values 2–8 mean the stored pixels are mirrored and/or rotated relative to how they should be shown. */
export type ExifOrientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const ORIENTATION_TAG = 0x0112;
const SHORT_TYPE = 3;

/**
 * The EXIF orientation of a JPEG (APP1 "Exif"), PNG (eXIf chunk) or WebP (EXIF chunk), or `undefined` when the
 * file has none or it cannot be read. Reads only metadata, never pixels.
 */
export function readExifOrientation(bytes: Uint8Array): ExifOrientation | undefined {
  const sniffed = sniffImageFormat(bytes);
  if (sniffed.kind !== 'image') return undefined;
  const tiff = findExifTiff(bytes, sniffed.format);
  return tiff === undefined ? undefined : orientationFromTiff(tiff);
}

function findExifTiff(b: Uint8Array, format: string): Uint8Array | undefined {
  if (format === 'jpeg') return jpegExif(b);
  if (format === 'png') return pngExif(b);
  if (format === 'webp') return webpExif(b);
  return undefined;
}

/** APP1 segments before the image data; the one starting "Exif\0\0" holds a TIFF structure. */
function jpegExif(b: Uint8Array): Uint8Array | undefined {
  let at = 2;
  while (at + 4 <= b.length && b[at] === 0xff) {
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    }
    const length = u16be(b, at + 2)!;
    if (length < 2) return undefined;
    if (marker === 0xe1 && ascii(b, at + 4, 6) === 'Exif\0\0') return b.subarray(at + 10, Math.min(b.length, at + 2 + length));
    at += 2 + length;
  }
  return undefined;
}

function pngExif(b: Uint8Array): Uint8Array | undefined {
  let at = 8;
  while (at + 8 <= b.length) {
    const length = u32be(b, at)!;
    const type = ascii(b, at + 4, 4);
    if (type === 'eXIf') return b.subarray(at + 8, Math.min(b.length, at + 8 + length));
    if (type === 'IDAT' || type === 'IEND') return undefined; // eXIf must come before the image data
    at += 12 + length;
  }
  return undefined;
}

function webpExif(b: Uint8Array): Uint8Array | undefined {
  let at = 12;
  while (at + 8 <= b.length) {
    const type = ascii(b, at, 4);
    const length = u32le(b, at + 4)!;
    if (type === 'EXIF') {
      const data = b.subarray(at + 8, Math.min(b.length, at + 8 + length));
      // Some writers keep the JPEG-style "Exif\0\0" prefix.
      return ascii(data, 0, 6) === 'Exif\0\0' ? data.subarray(6) : data;
    }
    at += 8 + length + (length & 1); // chunks are padded to even length
  }
  return undefined;
}

/** Tag 0x0112 in IFD0 of a TIFF structure ("II*\0" little-endian or "MM\0*" big-endian). */
function orientationFromTiff(t: Uint8Array): ExifOrientation | undefined {
  const order = ascii(t, 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const read16 = (at: number) => (le ? u16le(t, at) : u16be(t, at));
  const read32 = (at: number) => (le ? u32le(t, at) : u32be(t, at));
  if (read16(2) !== 42) return undefined;
  const ifd = read32(4);
  if (ifd === undefined) return undefined;
  const entries = read16(ifd);
  if (entries === undefined) return undefined;
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (read16(entry) !== ORIENTATION_TAG) continue;
    if (read16(entry + 2) !== SHORT_TYPE) return undefined;
    const value = read16(entry + 8);
    return value !== undefined && value >= 1 && value <= 8 ? (value as ExifOrientation) : undefined;
  }
  return undefined;
}

/** Orientations 5–8 swap width and height between the stored and the displayed picture. */
export function swapsSides(orientation: ExifOrientation): boolean {
  return orientation >= 5;
}

/** A 2D canvas transform, in `setTransform(a, b, c, d, e, f)` order: (x, y) → (a·x + c·y + e, b·x + d·y + f). */
export type CanvasTransform = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/**
 * The transform that draws the displayed (EXIF-applied) picture back onto a canvas of the stored size
 * `storedWidth` × `storedHeight`, so that each stored pixel returns to its place. Every case maps pixel squares
 * onto pixel squares (quarter turns, mirrors, whole-pixel shifts), so no pixel is resampled.
 */
export function storedFromDisplayed(orientation: ExifOrientation, storedWidth: number, storedHeight: number): CanvasTransform {
  const w = storedWidth;
  const h = storedHeight;
  switch (orientation) {
    case 1:
      return [1, 0, 0, 1, 0, 0];
    case 2: // shown mirrored left–right
      return [-1, 0, 0, 1, w, 0];
    case 3: // shown turned 180°
      return [-1, 0, 0, -1, w, h];
    case 4: // shown mirrored top–bottom
      return [1, 0, 0, -1, 0, h];
    case 5: // shown transposed
      return [0, 1, 1, 0, 0, 0];
    case 6: // shown turned 90° clockwise
      return [0, -1, 1, 0, 0, h];
    case 7: // shown transposed across the other diagonal
      return [0, -1, -1, 0, w, h];
    case 8: // shown turned 90° counter-clockwise
      return [0, 1, -1, 0, w, 0];
  }
}

/**
 * The EXIF orientation a WebCodecs frame carries as `rotation` (degrees clockwise) and `flip` (left–right), or
 * undefined for a rotation that is not a quarter turn. Chromium turns first and flips the turned picture
 * (measured with all eight orientations in e2e/modelPixels.spec.ts: orientation 5 comes as 90° + flip).
 */
export function orientationFromFrame(rotation: number, flip: boolean): ExifOrientation | undefined {
  const table: Record<number, [ExifOrientation, ExifOrientation]> = { 0: [1, 2], 90: [6, 5], 180: [3, 4], 270: [8, 7] };
  return table[rotation]?.[flip ? 1 : 0];
}
