import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readHeaderSize } from './headerSize.ts';
import { sniffImageFormat, type ImageFormat } from './sniff.ts';

/** Files written by PIL (tools/fixtures/vision_fixtures.py), with the size PIL reports. */
const DECODE_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'tools', 'image', 'fixtures');
const pilSizes = (
  JSON.parse(readFileSync(join(DECODE_FIXTURES, 'decode_fixtures.json'), 'utf8')) as {
    files: Record<string, { width: number; height: number }>;
  }
).files;

const EXTENSION_FORMAT: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', gif: 'gif', webp: 'webp', bmp: 'bmp' };

const text = (s: string) => new TextEncoder().encode(s);

async function rgbSample(width: number, height: number, channels: 3 | 4 = 3) {
  const raw = new Uint8Array(width * height * channels).map((_, i) => (i * 29) % 251);
  return sharp(raw, { raw: { width, height, channels } });
}

describe('sniffImageFormat and readHeaderSize on files PIL wrote', () => {
  for (const file of readdirSync(DECODE_FIXTURES).filter((f) => f in pilSizes)) {
    it(file, () => {
      const bytes = readFileSync(join(DECODE_FIXTURES, file));
      const format = EXTENSION_FORMAT[file.split('.').pop()!]!;
      expect(sniffImageFormat(bytes)).toEqual({ kind: 'image', format });
      const { width, height } = pilSizes[file]!;
      expect(readHeaderSize(bytes, format)).toEqual({ ok: true, width, height });
    });
  }
});

describe('readHeaderSize on the other encodings', () => {
  it('WebP lossy (VP8), lossless (VP8L) and extended (VP8X, here with alpha)', async () => {
    const cases: Array<[Buffer, string]> = [
      [await (await rgbSample(37, 21)).webp({ quality: 50 }).toBuffer(), 'VP8 '],
      [await (await rgbSample(37, 21)).webp({ lossless: true }).toBuffer(), 'VP8L'],
      [await (await rgbSample(37, 21, 4)).webp({ quality: 50 }).toBuffer(), 'VP8X'],
    ];
    for (const [bytes, chunk] of cases) {
      expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe(chunk);
      expect(sniffImageFormat(bytes)).toEqual({ kind: 'image', format: 'webp' });
      expect(readHeaderSize(bytes, 'webp')).toEqual({ ok: true, width: 37, height: 21 });
    }
  });

  it('progressive JPEG (SOF2) after EXIF and ICC segments', async () => {
    const bytes = await (await rgbSample(53, 17)).withMetadata({ orientation: 3 }).jpeg({ progressive: true }).toBuffer();
    expect(readHeaderSize(bytes, 'jpeg')).toEqual({ ok: true, width: 53, height: 17 });
  });

  it('AVIF, from the ispe property inside meta/iprp/ipco', async () => {
    const bytes = await (await rgbSample(40, 24)).avif({ quality: 40, effort: 0 }).toBuffer();
    expect(sniffImageFormat(bytes)).toEqual({ kind: 'image', format: 'avif' });
    expect(readHeaderSize(bytes, 'avif')).toEqual({ ok: true, width: 40, height: 24 });
  });

  it('BMP with a negative (top-down) height', () => {
    const bytes = new Uint8Array(54);
    bytes.set(text('BM'));
    const view = new DataView(bytes.buffer);
    view.setUint32(14, 40, true);
    view.setInt32(18, 640, true);
    view.setInt32(22, -480, true);
    expect(readHeaderSize(bytes, 'bmp')).toEqual({ ok: true, width: 640, height: 480 });
  });

  it('says what is wrong with a damaged header', () => {
    const png = readFileSync(join(DECODE_FIXTURES, 'grey.png'));
    expect(readHeaderSize(png.subarray(0, 20), 'png')).toEqual({ ok: false, problem: 'the header is cut short' });
    const jpeg = readFileSync(join(DECODE_FIXTURES, 'rgb_q90.jpg'));
    expect(readHeaderSize(jpeg.subarray(0, 30), 'jpeg')).toEqual({ ok: false, problem: 'the header is cut short' });
    const sofAt = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    const dnl = new Uint8Array(jpeg);
    dnl[sofAt + 5] = 0;
    dnl[sofAt + 6] = 0;
    expect(readHeaderSize(dnl, 'jpeg')).toEqual({ ok: false, problem: 'the frame header leaves the height to a DNL marker' });
    expect(readHeaderSize(text('RIFF\0\0\0\0WEBPXXXX'), 'webp')).toEqual({ ok: false, problem: 'unknown first chunk "XXXX"' });
  });
});

describe('sniffImageFormat on what is not a supported image', () => {
  it('empty, text, SVG and unknown binary', () => {
    expect(sniffImageFormat(new Uint8Array(0))).toEqual({ kind: 'empty' });
    expect(sniffImageFormat(text('BMW 320i, 2004, blue\n'))).toEqual({ kind: 'text' });
    expect(sniffImageFormat(text('héllo wörld — ünïcode text'))).toEqual({ kind: 'text' });
    expect(sniffImageFormat(text('\uFEFF<!-- drawn by hand -->\n<svg viewBox="0 0 1 1"></svg>'))).toEqual({ kind: 'svg' });
    expect(sniffImageFormat(text('<SVG xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({ kind: 'svg' });
    expect(sniffImageFormat(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]))).toEqual({ kind: 'unknown' });
  });

  it('UTF-16 SVG (with a byte-order mark)', () => {
    const s = '<svg xmlns="http://www.w3.org/2000/svg"/>';
    const bytes = new Uint8Array(2 + s.length * 2);
    bytes.set([0xff, 0xfe]);
    for (let i = 0; i < s.length; i++) bytes[2 + i * 2] = s.charCodeAt(i);
    expect(sniffImageFormat(bytes)).toEqual({ kind: 'svg' });
  });

  it('TIFF and HEIC, which browsers cannot decode', async () => {
    expect(sniffImageFormat(await (await rgbSample(4, 4)).tiff().toBuffer())).toEqual({ kind: 'tiff' });
    const heic = new Uint8Array(24);
    heic.set([0, 0, 0, 24]);
    heic.set(text('ftypheic\0\0\0\0mif1heic'), 4);
    expect(sniffImageFormat(heic)).toEqual({ kind: 'heic' });
  });
});
