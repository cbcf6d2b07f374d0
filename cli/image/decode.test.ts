import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { preprocessImage } from '../../src/core/vision/preprocess.ts';
import { DEPICTQA_WILD_RULE } from '../../src/core/vision/resizeRule.ts';
import { decodeImageBytes, decodeImageFile } from './decode.ts';
import { claimedSizePng, encodeRgbPng, iccpChunk } from '../../tools/image/testing/pngBytes.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'tools', 'image', 'fixtures');

interface DecodeFixture {
  mode: string;
  width: number;
  height: number;
  rgb: string;
}
const expected = (
  JSON.parse(readFileSync(join(FIXTURES, 'decode_fixtures.json'), 'utf8')) as { files: Record<string, DecodeFixture> }
).files;

const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`decodeImageFile vs PIL convert("RGB"):\n${measured.join('\n')}`);
});

async function expectError(promise: Promise<unknown>, code: string, message: RegExp): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  expect((error as AppError).message).toMatch(message);
  return error as AppError;
}

describe('decodeImageFile gives the pixels of PIL 9.4 Image.open(f).convert("RGB")', () => {
  // Every fixture, including grey, grey+alpha, palette with tRNS, 16-bit PNGs, CMYK JPEG, WebP, BMP,
  // an animated GIF (first frame), a GIF with a transparent index, an embedded non-sRGB ICC profile and
  // an EXIF orientation of 6, decodes to exactly PIL's bytes.
  // grey16.png is the one written exception: PIL clips 16-bit grey to 255, we keep the high byte (below).
  for (const [file, e] of Object.entries(expected).filter(([file]) => file !== 'grey16.png')) {
    it(`${file} (PIL mode ${e.mode})`, async () => {
      const image = await decodeImageFile(join(FIXTURES, file));
      expect([image.width, image.height]).toEqual([e.width, e.height]);
      const pil = Buffer.from(e.rgb, 'base64');
      let max = 0;
      let differing = 0;
      for (let i = 0; i < pil.length; i++) {
        const d = Math.abs(pil[i]! - image.data[i]!);
        if (d > 0) differing++;
        max = Math.max(max, d);
      }
      measured.push(`  ${file.padEnd(26)} max |diff| ${max}, differing bytes ${differing}`);
      expect(max).toBe(0);
    });
  }

  it('keeps the stored colour of fully transparent pixels (no compositing, no premultiplication)', async () => {
    const image = await decodeImageFile(join(FIXTURES, 'rgba_transparent.png'));
    const { data: rgba } = await sharp(join(FIXTURES, 'rgba_transparent.png')).raw().toBuffer({ resolveWithObject: true });
    let transparentWithColour = 0;
    for (let i = 0, o = 0; i < rgba.length; i += 4, o += 3) {
      expect([...image.data.subarray(o, o + 3)]).toEqual([rgba[i], rgba[i + 1], rgba[i + 2]]);
      if (rgba[i + 3] === 0 && rgba[i]! + rgba[i + 1]! + rgba[i + 2]! > 0) transparentWithColour++;
    }
    expect(transparentWithColour).toBeGreaterThan(96);
  });

  it('keeps the high byte of 16-bit colour like PIL, and of 16-bit grey as browsers do (PIL clips it to 255)', async () => {
    const grey = await decodeImageFile(join(FIXTURES, 'grey16.png'));
    const colour = await decodeImageFile(join(FIXTURES, 'rgb16.png'));
    // rgb16.png's first pixels: 0x00ff, 0x0100, 0x7fff → 0, 1, 127 (not rounded: 0x7fff / 257 = 127.5).
    expect([...colour.data.subarray(0, 3)]).toEqual([0, 1, 127]);
    const { data: samples } = await sharp(join(FIXTURES, 'grey16.png')).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true });
    const wide = new Uint16Array(samples.buffer.slice(samples.byteOffset, samples.byteOffset + samples.length));
    expect(grey.data.length).toBe(wide.length * 3);
    for (let i = 0; i < wide.length; i++) expect(grey.data[i * 3]).toBe(wide[i]! >> 8);
    const pil = Buffer.from(expected['grey16.png']!.rgb, 'base64');
    expect(pil.filter((v) => v === 255).length).toBeGreaterThan(pil.length / 2);
  });

  it('ignores the EXIF orientation like PIL and reports it for a warning', async () => {
    const image = await decodeImageFile(join(FIXTURES, 'orientation6.jpg'));
    expect(image.header.exifOrientation).toBe(6);
    expect([image.width, image.height]).toEqual([24, 16]); // stored landscape, not rotated to portrait
  });

  it('ignores an embedded ICC profile (sharp would otherwise convert the colours)', async () => {
    const rgb = new Uint8Array(8 * 4 * 3).map((_, i) => (i * 37) % 256);
    const profile = (await sharp(join(FIXTURES, 'icc_profile.png')).metadata()).icc!;
    const png = encodeRgbPng(8, 4, rgb, [iccpChunk(profile)]);
    const image = await decodeImageBytes(png, 'profile.png');
    expect(Buffer.compare(image.data, rgb)).toBe(0);
    const managed = await sharp(png).raw().toBuffer();
    expect(Buffer.compare(managed, rgb)).not.toBe(0);
  });

  it('decodes a 10000 × 300 panorama and preprocesses it to 20 × 672 (70 × 672 padded)', async () => {
    const width = 10000;
    const height = 300;
    const raw = new Uint8Array(width * height * 3);
    for (let y = 0, i = 0; y < height; y++) {
      for (let x = 0; x < width; x++, i += 3) {
        raw[i] = x & 255;
        raw[i + 1] = y & 255;
        raw[i + 2] = (x + y) & 255;
      }
    }
    const png = await sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    const image = await decodeImageBytes(png, 'panorama.png');
    expect([image.width, image.height]).toEqual([width, height]);
    expect(Buffer.compare(image.data, raw)).toBe(0);
    const out = preprocessImage(image, DEPICTQA_WILD_RULE);
    expect(out.resized).toEqual({ height: 20, width: 672 });
    expect(out.padded).toEqual({ height: 70, width: 672 });
    expect(out.grid).toEqual({ height: 5, width: 48 });
  });

  it('preprocesses a 1 × 1 image to a 70 × 70 black canvas with the pixel at (34, 34)', async () => {
    const image = await decodeImageFile(join(FIXTURES, 'one_pixel.png'));
    const out = preprocessImage(image, DEPICTQA_WILD_RULE);
    expect(out.padded).toEqual({ height: 70, width: 70 });
    expect(out.offset).toEqual({ top: 34, left: 34 });
    expect(out.pixelValues[35 * 70 + 35]).toBe(out.pixelValues[0]); // padding
    expect(out.pixelValues[34 * 70 + 34]).not.toBe(out.pixelValues[0]); // the pixel (not black in this crop)
  });
});

describe('decodeImageBytes refuses what is not a decodable image, before decoding', () => {
  it('an empty file', async () => {
    await expectError(decodeImageBytes(new Uint8Array(0), 'empty.png'), 'IMAGE_DECODE_FAILED', /^empty\.png: the file is empty$/);
  });

  it('a truncated PNG', async () => {
    const error = await expectError(
      decodeImageFile(join(FIXTURES, 'truncated.png')),
      'IMAGE_DECODE_FAILED',
      /^truncated\.png: the PNG data is damaged or cut short/,
    );
    expect(error.hint).toBeDefined();
  });

  it('a text file renamed to .png', async () => {
    const text = new TextEncoder().encode('Meeting notes\nBring the photos on Monday.\n');
    await expectError(decodeImageBytes(text, 'notes.png'), 'IMAGE_DECODE_FAILED', /notes\.png is not an image \(it starts with text\)/);
  });

  it('an SVG, saying why', async () => {
    const svg = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    const error = await expectError(decodeImageBytes(svg, 'logo.svg'), 'IMAGE_DECODE_FAILED', /logo\.svg is an SVG/);
    expect(error.hint).toBe('SVG is a vector drawing: export it to PNG at the size you want judged.');
  });

  it('a PNG whose header claims 100000 × 100000 pixels, naming the size (the file has no such data)', async () => {
    // Were it decoded, the tiny IDAT would fail as IMAGE_DECODE_FAILED; IMAGE_TOO_LARGE proves the header check ran first.
    await expectError(
      decodeImageBytes(claimedSizePng(100_000, 100_000), 'bomb.png'),
      'IMAGE_TOO_LARGE',
      /^bomb\.png is 100000 × 100000 pixels \(10000 megapixels\); the limit is 89\.5 megapixels and 32767 pixels a side$/,
    );
  });

  it('a missing file', async () => {
    await expectError(decodeImageFile(join(FIXTURES, 'no-such-file.png')), 'FILE_NOT_FOUND', /cannot read the file/);
  });
});
