import { AppError } from '../errors.ts';
import type { RgbImage } from '../vision/rgbImage.ts';
import { i32le, u16le, u32le } from './bytes.ts';

/**
 * Uncompressed BMP → 8-bit RGB, as PIL's BmpImagePlugin + convert("RGB") read it: 1/4/8-bit palettes,
 * 24-bit BGR, 32-bit BGRX (BI_RGB: the fourth byte is padding, not alpha) and 32-bit bitfields with
 * byte-aligned masks (alpha dropped). Rows are bottom-up unless the height is negative.
 * RLE-compressed, 16-bit and embedded JPEG/PNG BMPs are refused: rare, and each needs its own decoder.
 * Needed because libvips (sharp) has no BMP loader; browsers decode BMP themselves.
 */

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

function fail(fileName: string, problem: string): never {
  throw new AppError('IMAGE_DECODE_FAILED', `${fileName}: cannot decode this BMP (${problem})`, {
    hint: 'Save it as PNG.',
  });
}

/** Bit offset of a byte-aligned 8-bit mask (0xff << 0/8/16/24), or -1. */
function byteMaskShift(mask: number): number {
  for (const shift of [0, 8, 16, 24]) if (mask >>> 0 === (0xff << shift) >>> 0) return shift;
  return -1;
}

export function decodeBmp(bytes: Uint8Array, fileName: string): RgbImage {
  const dataOffset = u32le(bytes, 10);
  const dibSize = u32le(bytes, 14);
  if (dataOffset === undefined || dibSize === undefined) fail(fileName, 'the header is cut short');
  const core = dibSize === 12;
  const width = core ? u16le(bytes, 18) : i32le(bytes, 18);
  const rawHeight = core ? u16le(bytes, 20) : i32le(bytes, 22);
  const bitCount = u16le(bytes, core ? 24 : 28);
  const compression = core ? BI_RGB : u32le(bytes, 30);
  if (width === undefined || rawHeight === undefined || bitCount === undefined || compression === undefined) {
    fail(fileName, 'the header is cut short');
  }
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width < 1 || height < 1) fail(fileName, `size ${width} × ${height}`);

  // 1. Where each colour comes from: a palette, or byte positions within a 24/32-bit pixel.
  let palette: Uint8Array | undefined; // [entries, 3] RGB
  let shifts = { r: 16, g: 8, b: 0 };
  if (bitCount <= 8) {
    if (compression !== BI_RGB) fail(fileName, 'RLE compression is not supported');
    if (bitCount !== 1 && bitCount !== 4 && bitCount !== 8) fail(fileName, `${bitCount} bits per pixel`);
    const entrySize = core ? 3 : 4;
    const used = core ? 0 : (u32le(bytes, 46) ?? 0);
    const entries = used === 0 ? 1 << bitCount : Math.min(used, 1 << bitCount);
    const start = 14 + dibSize;
    palette = new Uint8Array((1 << bitCount) * 3); // entries past the stored ones stay black
    for (let i = 0; i < entries; i++) {
      const at = start + i * entrySize;
      if (at + 3 > bytes.length) fail(fileName, 'the palette is cut short');
      palette[i * 3] = bytes[at + 2]!;
      palette[i * 3 + 1] = bytes[at + 1]!;
      palette[i * 3 + 2] = bytes[at]!;
    }
  } else if (bitCount === 24) {
    if (compression !== BI_RGB) fail(fileName, `compression ${compression} with 24 bits per pixel`);
  } else if (bitCount === 32) {
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // Masks follow a 40-byte header, or sit inside the larger v2–v5 headers at the same offset.
      const r = u32le(bytes, 54);
      const g = u32le(bytes, 58);
      const b = u32le(bytes, 62);
      if (r === undefined || g === undefined || b === undefined) fail(fileName, 'the colour masks are cut short');
      shifts = { r: byteMaskShift(r), g: byteMaskShift(g), b: byteMaskShift(b) };
      if (shifts.r < 0 || shifts.g < 0 || shifts.b < 0) fail(fileName, 'colour masks that are not whole bytes');
    } else if (compression !== BI_RGB) {
      fail(fileName, `compression ${compression}`);
    }
  } else {
    fail(fileName, `${bitCount} bits per pixel`);
  }

  // 2. Rows, each padded to 4 bytes.
  const stride = Math.floor((bitCount * width + 31) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) fail(fileName, 'the pixel data is cut short');
  const data = new Uint8Array(width * height * 3); // [height, width, 3]
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette !== undefined) {
        const bit = x * bitCount;
        const byte = bytes[row + (bit >> 3)]!;
        const index = (byte >> (8 - bitCount - (bit & 7))) & ((1 << bitCount) - 1);
        data[o] = palette[index * 3]!;
        data[o + 1] = palette[index * 3 + 1]!;
        data[o + 2] = palette[index * 3 + 2]!;
      } else if (bitCount === 24) {
        const p = row + x * 3;
        data[o] = bytes[p + 2]!;
        data[o + 1] = bytes[p + 1]!;
        data[o + 2] = bytes[p]!;
      } else {
        const pixel = u32le(bytes, row + x * 4)!;
        data[o] = (pixel >>> shifts.r) & 0xff;
        data[o + 1] = (pixel >>> shifts.g) & 0xff;
        data[o + 2] = (pixel >>> shifts.b) & 0xff;
      }
    }
  }
  return { width, height, data };
}
