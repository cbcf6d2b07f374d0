import { ascii, startsWith, u32be, u32le } from './bytes.ts';

/** Pixel formats that both the browser and the Node decoder read. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif';

/** What the first bytes say a file is. Only `image` may go on to decoding. */
export type SniffResult =
  | { kind: 'image'; format: ImageFormat }
  | { kind: 'empty' }
  /** SVG (or SVG inside XML): a vector drawing that has no pixel size of its own */
  | { kind: 'svg' }
  /** any other text: e.g. a text file renamed to .png */
  | { kind: 'text' }
  /** HEIC/HEIF: browsers other than Safari cannot decode it */
  | { kind: 'heic' }
  /** TIFF: browsers cannot decode it */
  | { kind: 'tiff' }
  | { kind: 'unknown' };

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  webp: 'WebP',
  bmp: 'BMP',
  avif: 'AVIF',
};

/** The MIME type a decoder is told, from the sniffed bytes (never from a file name or an upload's claimed type). */
export const FORMAT_MIME: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  avif: 'image/avif',
};

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** BMP DIB header sizes that exist (core, info, v2, v3, OS/2 v2, v4, v5); they keep "BM…" text out. */
const BMP_DIB_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);
const AVIF_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1', 'mif2']);

/** How much of the start of a file the text and SVG checks read. */
const TEXT_PROBE_BYTES = 4096;

export function sniffImageFormat(bytes: Uint8Array): SniffResult {
  if (bytes.length === 0) return { kind: 'empty' };
  if (startsWith(bytes, PNG_MAGIC)) return { kind: 'image', format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'image', format: 'jpeg' };
  const head6 = ascii(bytes, 0, 6);
  if (head6 === 'GIF87a' || head6 === 'GIF89a') return { kind: 'image', format: 'gif' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(bytes, 0, 2) === 'BM' && BMP_DIB_SIZES.has(u32le(bytes, 14) ?? -1)) return { kind: 'image', format: 'bmp' };
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brands = isoBrands(bytes);
    if (brands.some((b) => AVIF_BRANDS.has(b))) return { kind: 'image', format: 'avif' };
    if (brands.some((b) => HEIF_BRANDS.has(b))) return { kind: 'heic' };
  }
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { kind: 'tiff' };
  }
  if (looksLikeText(bytes)) return looksLikeSvg(bytes) ? { kind: 'svg' } : { kind: 'text' };
  return { kind: 'unknown' };
}

/** Major and compatible brands of an ISO-BMFF `ftyp` box. */
function isoBrands(bytes: Uint8Array): string[] {
  const size = u32be(bytes, 0) ?? 0;
  const end = Math.min(size, bytes.length);
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, 4));
  return brands;
}

/**
 * Text, not pixels: a byte-order mark, or no NUL and almost only printable characters in the first 4 KiB.
 * Bytes ≥ 0x80 count as printable so that UTF-8 text in any language is recognised.
 */
function looksLikeText(bytes: Uint8Array): boolean {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf]) || startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    return true;
  }
  const n = Math.min(bytes.length, TEXT_PROBE_BYTES);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0) return false;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) control++;
  }
  return control <= n * 0.02;
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const probe = bytes.subarray(0, TEXT_PROBE_BYTES);
  // UTF-16 files have a NUL after each ASCII character; drop NULs so that "<svg" is found in them too.
  const text = String.fromCharCode(...probe.filter((c) => c !== 0)).toLowerCase();
  return text.includes('<svg');
}
