import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import { decodeImage } from './decodeImage.ts';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'decode-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

// [2, 2] pixels
const rgba = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 10, 20, 30, 255]);

describe('decodeImage', () => {
  it('drops alpha from RGBA without touching the colour values', async () => {
    const path = join(dir, 'rgba.png');
    await sharp(rgba, { raw: { width: 2, height: 2, channels: 4 } }).png().toFile(path);
    const image = await decodeImage(path);
    expect([image.width, image.height, image.channels]).toEqual([2, 2, 3]);
    expect(Array.from(image.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30]);
  });

  it('keeps a grey file grey, with or without alpha', async () => {
    const path = join(dir, 'grey-alpha.png');
    const greyAlpha = Buffer.from([0, 255, 100, 0, 200, 255, 255, 10]);
    await sharp(greyAlpha, { raw: { width: 2, height: 2, channels: 2 } }).toColourspace('b-w').png().toFile(path);
    expect((await sharp(path).metadata()).channels).toBe(2);
    const image = await decodeImage(path);
    expect(image.channels).toBe(1);
    expect(Array.from(image.data)).toEqual([0, 100, 200, 255]);
  });

  it('reduces 16-bit samples to 8 bits', async () => {
    const path = join(dir, 'deep.png');
    // 8-bit values widened to 16 bits (v · 257) must come back as they were.
    await sharp(Buffer.from([0, 255, 128, 1]), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(path);
    expect((await sharp(path).metadata()).depth).toBe('ushort');
    const image = await decodeImage(path);
    expect(image.channels).toBe(1);
    expect(Array.from(image.data)).toEqual([0, 255, 128, 1]);
  });

  it('ignores EXIF orientation, as the page and the model do (pixels as stored)', async () => {
    const path = join(dir, 'rotated.jpg');
    // Stored 3 wide × 2 high, tagged "rotate 90° clockwise" (orientation 6): still 3 wide × 2 high here.
    await sharp({ create: { width: 3, height: 2, channels: 3, background: '#ffffff' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(path);
    const image = await decodeImage(path);
    expect([image.width, image.height]).toEqual([3, 2]);
  });

  it('names the file when it is missing or not an image', async () => {
    await expect(decodeImage(join(dir, 'none.png'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const error = await decodeImage(import.meta.filename).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('IMAGE_DECODE_FAILED');
    expect((error as AppError).message).toMatch(/decodeImage\.test\.ts: cannot decode the image/);
  });
});
