import { ascii, i32le, u16be, u16le, u24le, u32be, u32le, u8 } from './bytes.ts';
import type { ImageFormat } from './sniff.ts';

/**
 * Pixel dimensions read from a file's header, before any decoding, so that a decompression bomb is refused
 * before a pixel buffer is allocated. Each reader reads only a few bytes at a fixed or scanned offset.
 */
export type HeaderSize = { ok: true; width: number; height: number } | { ok: false; problem: string };

const truncated: HeaderSize = { ok: false, problem: 'the header is cut short' };

export function readHeaderSize(bytes: Uint8Array, format: ImageFormat): HeaderSize {
  switch (format) {
    case 'png':
      return pngSize(bytes);
    case 'jpeg':
      return jpegSize(bytes);
    case 'gif':
      return gifSize(bytes);
    case 'webp':
      return webpSize(bytes);
    case 'bmp':
      return bmpSize(bytes);
    case 'avif':
      return avifSize(bytes);
  }
}

function sized(width: number | undefined, height: number | undefined): HeaderSize {
  return width === undefined || height === undefined ? truncated : { ok: true, width, height };
}

/** PNG: the first chunk must be IHDR; width and height are big-endian u32 at 16 and 20. */
function pngSize(b: Uint8Array): HeaderSize {
  if (b.length < 24) return truncated;
  if (ascii(b, 12, 4) !== 'IHDR') return { ok: false, problem: 'the first chunk is not IHDR' };
  return sized(u32be(b, 16), u32be(b, 20));
}

/** JPEG markers without a length field: TEM, RSTn, SOI. */
function isStandaloneMarker(m: number): boolean {
  return m === 0x01 || (m >= 0xd0 && m <= 0xd8);
}

/** SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames. */
function isStartOfFrame(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/** JPEG: walk the marker segments from SOI to the first SOFn; height at +5, width at +7 (big-endian u16). */
function jpegSize(b: Uint8Array): HeaderSize {
  let at = 2;
  for (;;) {
    if (at >= b.length) return truncated;
    if (b[at] !== 0xff) return { ok: false, problem: `expected a marker at byte ${at}` };
    while (b[at] === 0xff) at++; // fill bytes
    const marker = u8(b, at);
    if (marker === undefined) return truncated;
    at++;
    if (isStandaloneMarker(marker)) continue;
    if (marker === 0xd9 || marker === 0xda) return { ok: false, problem: 'no frame header before the image data' };
    const length = u16be(b, at);
    if (length === undefined) return truncated;
    if (length < 2) return { ok: false, problem: `a segment at byte ${at} has length ${length}` };
    if (isStartOfFrame(marker)) {
      const height = u16be(b, at + 3);
      const width = u16be(b, at + 5);
      // Height 0 means "given later by a DNL marker": too rare to support, and unsafe to guess.
      if (height === 0) return { ok: false, problem: 'the frame header leaves the height to a DNL marker' };
      return sized(width, height);
    }
    at += length;
  }
}

/** GIF: the logical screen size, little-endian u16 at 6 and 8; decoders clip frames to it. */
function gifSize(b: Uint8Array): HeaderSize {
  return sized(u16le(b, 6), u16le(b, 8));
}

/** WebP: the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended, with the canvas size). */
function webpSize(b: Uint8Array): HeaderSize {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    if (b.length < 30) return truncated;
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return { ok: false, problem: 'the VP8 start code is missing' };
    return sized((u16le(b, 26) ?? 0) & 0x3fff, (u16le(b, 28) ?? 0) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (b.length < 25) return truncated;
    if (b[20] !== 0x2f) return { ok: false, problem: 'the VP8L signature is missing' };
    const bits = u32le(b, 21)!;
    return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    const w = u24le(b, 24);
    const h = u24le(b, 27);
    return sized(w === undefined ? undefined : w + 1, h === undefined ? undefined : h + 1);
  }
  return chunk === '' ? truncated : { ok: false, problem: `unknown first chunk "${chunk}"` };
}

/** BMP: OS/2 core headers hold u16 sizes at 18 and 20; later headers i32 at 18 and 22 (negative height = top-down). */
function bmpSize(b: Uint8Array): HeaderSize {
  const dibSize = u32le(b, 14);
  if (dibSize === 12) return sized(u16le(b, 18), u16le(b, 20));
  const width = i32le(b, 18);
  const height = i32le(b, 22);
  if (width === undefined || height === undefined) return truncated;
  if (width < 0) return { ok: false, problem: `negative width ${width}` };
  return { ok: true, width, height: Math.abs(height) };
}

/**
 * AVIF: walk ISO-BMFF boxes meta → iprp → ipco and read every `ispe` (image spatial extents) property.
 * The largest one is the size to check: a grid image's tiles and its thumbnail are smaller than the image.
 */
function avifSize(b: Uint8Array): HeaderSize {
  const sizes: Array<{ width: number; height: number }> = [];
  const walk = (start: number, end: number, depth: number): void => {
    let at = start;
    while (at + 8 <= end) {
      let size = u32be(b, at)!;
      const type = ascii(b, at + 4, 4);
      let header = 8;
      if (size === 1) {
        // 64-bit size; only its low 32 bits can matter for a header we read in memory.
        const high = u32be(b, at + 8);
        const low = u32be(b, at + 12);
        if (high === undefined || low === undefined) return;
        size = high * 2 ** 32 + low;
        header = 16;
      } else if (size === 0) {
        size = end - at;
      }
      if (size < header) return;
      const boxEnd = Math.min(at + size, end);
      if (type === 'meta' && depth === 0) walk(at + header + 4, boxEnd, 1); // full box: 4 bytes version/flags
      else if (type === 'iprp' && depth === 1) walk(at + header, boxEnd, 2);
      else if (type === 'ipco' && depth === 2) walk(at + header, boxEnd, 3);
      else if (type === 'ispe' && depth === 3) {
        const width = u32be(b, at + header + 4);
        const height = u32be(b, at + header + 8);
        if (width !== undefined && height !== undefined) sizes.push({ width, height });
      }
      at += size;
    }
  };
  walk(0, b.length, 0);
  if (sizes.length === 0) return { ok: false, problem: 'no image size (ispe) property in the header' };
  let best = sizes[0]!;
  for (const s of sizes) if (s.width * s.height > best.width * best.height) best = s;
  return { ok: true, width: best.width, height: best.height };
}
