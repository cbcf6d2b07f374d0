import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { readExifOrientation } from './exifOrientation.ts';
import { DEPICTQA_WILD_RULE } from '../vision/resizeRule.ts';
import { IMAGE_LIMITS, inspectImageBytes } from './inspectImage.ts';
import { samplesToRgb } from './pilConvert.ts';

const DECODE_FIXTURES = join(import.meta.dirname, '..', '..', '..', 'tools', 'image', 'fixtures');
const fixture = (name: string) => new Uint8Array(readFileSync(join(DECODE_FIXTURES, name)));
const text = (s: string) => new TextEncoder().encode(s);

/** A PNG signature and an IHDR that claims `width × height`: all the rules read. */
function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  bytes.set(text('IHDR'), 12);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

function refusal(bytes: Uint8Array, name: string): AppError {
  try {
    inspectImageBytes(bytes, name, IMAGE_LIMITS, DEPICTQA_WILD_RULE);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error(`${name} was accepted`);
}

describe('inspectImageBytes', () => {
  it('accepts a good file and reports format, size and EXIF orientation', () => {
    expect(inspectImageBytes(fixture('orientation6.jpg'), 'o.jpg')).toEqual({
      format: 'jpeg',
      width: 24,
      height: 16,
      exifOrientation: 6,
    });
    expect(inspectImageBytes(fixture('grey.png'), 'g.png')).toEqual({ format: 'png', width: 24, height: 16 });
  });

  it('refuses with one line naming the file, and a hint', () => {
    const cases: Array<[Uint8Array, string, string, RegExp]> = [
      [new Uint8Array(0), 'a.png', 'IMAGE_DECODE_FAILED', /^a\.png: the file is empty$/],
      [text('just some notes\n'), 'b.png', 'IMAGE_DECODE_FAILED', /^b\.png is not an image \(it starts with text\)$/],
      [text('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'c.png', 'IMAGE_DECODE_FAILED', /^c\.png is an SVG/],
      [new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]), 'd.png', 'IMAGE_DECODE_FAILED', /^d\.png is not a PNG, JPEG, WebP, GIF, BMP or AVIF image$/],
      [fixture('grey.png').subarray(0, 18), 'e.png', 'IMAGE_DECODE_FAILED', /^e\.png: damaged PNG header \(the header is cut short\)$/],
      [pngHeader(0, 10), 'f.png', 'IMAGE_DECODE_FAILED', /^f\.png: the header declares a size of 0 × 10 pixels$/],
      [pngHeader(40_000, 10), 'g.png', 'IMAGE_TOO_LARGE', /^g\.png is 40000 × 10 pixels \(0\.40 megapixels\); the limit is 89\.5 megapixels and 32767 pixels a side$/],
      [pngHeader(10_000, 9_000), 'h.png', 'IMAGE_TOO_LARGE', /^h\.png is 10000 × 9000 pixels \(90\.0 megapixels\)/],
      [pngHeader(2000, 1), 'i.png', 'IMAGE_TOO_SMALL', /^i\.png: an image of 2000 × 1 pixels is too thin/],
    ];
    for (const [bytes, name, code, message] of cases) {
      const error = refusal(bytes, name);
      expect(error.code, name).toBe(code);
      expect(error.message, name).toMatch(message);
      expect(error.message).not.toContain('\n');
      expect(error.hint, name).toBeTruthy();
    }
  });

  it('accepts exactly up to the limits', () => {
    expect(inspectImageBytes(pngHeader(32_767, 2_730), 'edge.png')).toMatchObject({ width: 32_767, height: 2_730 });
    expect(32_767 * 2_730).toBeLessThanOrEqual(IMAGE_LIMITS.maxPixels);
    const custom = { maxPixels: 100, maxSide: 20 };
    expect(() => inspectImageBytes(pngHeader(20, 5), 'ok.png', custom)).not.toThrow();
    expect(() => inspectImageBytes(pngHeader(21, 4), 'wide.png', custom)).toThrow(/limit is 0\.00 megapixels and 20 pixels/);
  });

  it('judges thinness only by a model’s rule: 2000 × 1 is too thin for 224 / 672, fine for 1024 / 2048 or no model', () => {
    const abstractor = { resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70, patchSize: 14 };
    expect(inspectImageBytes(pngHeader(2000, 1), 'i.png')).toMatchObject({ width: 2000, height: 1 });
    expect(inspectImageBytes(pngHeader(2000, 1), 'i.png', IMAGE_LIMITS, abstractor)).toMatchObject({ width: 2000, height: 1 });
    expect(() => inspectImageBytes(pngHeader(2000, 1), 'i.png', IMAGE_LIMITS, DEPICTQA_WILD_RULE)).toThrow(/too thin/);
  });
});

describe('readExifOrientation', () => {
  it('reads JPEG (PIL little-endian EXIF, sharp big-endian), WebP and PNG eXIf, and nothing from plain files', async () => {
    expect(readExifOrientation(fixture('orientation6.jpg'))).toBe(6);
    expect(readExifOrientation(fixture('rgb_q90.jpg'))).toBeUndefined();
    expect(readExifOrientation(fixture('grey.png'))).toBeUndefined();
    expect(readExifOrientation(text('not an image'))).toBeUndefined();
    const raw = new Uint8Array(6 * 4 * 3).fill(90);
    const base = () => sharp(raw, { raw: { width: 6, height: 4, channels: 3 } });
    expect(readExifOrientation(await base().withMetadata({ orientation: 3 }).jpeg().toBuffer())).toBe(3);
    expect(readExifOrientation(await base().withMetadata({ orientation: 8 }).webp().toBuffer())).toBe(8);
    expect(readExifOrientation(await base().withMetadata({ orientation: 5 }).png().toBuffer())).toBe(5);
  });
});

describe('samplesToRgb (PIL convert("RGB") rules)', () => {
  it('CMYK with PIL cmyk2rgb rounding', () => {
    const cmyk = new Uint8Array([0, 0, 0, 0, 255, 0, 0, 0, 100, 50, 200, 30, 10, 20, 30, 255]);
    expect([...samplesToRgb(cmyk, 4, 1, 'cmyk').data]).toEqual([255, 255, 255, 0, 255, 255, 137, 181, 49, 0, 0, 0]);
  });

  it('16-bit: high byte for every layout, plain grey included (PIL would clip it to 255)', () => {
    expect([...samplesToRgb(new Uint16Array([0x1234, 0xabcd, 0x00ff, 0xff00, 0x0180, 0x7fff]), 2, 1, 'rgb').data]).toEqual([
      18, 171, 0, 255, 1, 127,
    ]);
    expect([...samplesToRgb(new Uint16Array([0x12, 0xff, 0x100, 0xabcd]), 4, 1, 'grey').data]).toEqual([
      0, 0, 0, 0, 0, 0, 1, 1, 1, 171, 171, 171,
    ]);
    expect([...samplesToRgb(new Uint16Array([0x0012, 0xffff, 0xabcd, 0]), 2, 1, 'greyAlpha').data]).toEqual([
      0, 0, 0, 171, 171, 171,
    ]);
  });
});
