import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { DEPICTQA_WILD_RULE } from '../vision/resizeRule.ts';
import { checkGrid, defaultGrid, parseGrid, tileRects } from './grid.ts';
import { localize, type TileJudge } from './localize.ts';
import { psnrJudge } from './psnrJudge.ts';
import { quadrantPair } from './testing/quadrantPair.ts';

const RULE = DEPICTQA_WILD_RULE;

/** The fake judge, counting its calls and the distinct crops it was shown. */
function countingJudge(): TileJudge & { calls: number; crops: Set<string> } {
  const inner = psnrJudge();
  const crops = new Set<string>();
  const seen = (...images: Array<{ data: Uint8Array } | null>) => images.forEach((image) => image !== null && crops.add(Buffer.from(image.data).toString('base64')));
  const judge = {
    calls: 0,
    crops,
    compare: async (c: Parameters<TileJudge['compare']>[0], tile: Parameters<TileJudge['compare']>[1]) => {
      judge.calls++;
      seen(c.reference, c.first, c.second);
      return inner.compare(c, tile);
    },
    identify: async (c: Parameters<TileJudge['identify']>[0], tile: Parameters<TileJudge['identify']>[1]) => {
      judge.calls++;
      seen(c.reference, c.image);
      return inner.identify(c, tile);
    },
    counters: inner.counters,
  };
  return judge;
}

describe('the grid', () => {
  it('reads ROWSxCOLS and refuses anything else, naming the form', () => {
    expect(parseGrid('2x3')).toEqual({ rows: 2, cols: 3 });
    expect(parseGrid(' 4×1 ')).toEqual({ rows: 4, cols: 1 });
    for (const bad of ['2', '0x2', '2x', 'axb', '17x1', '2x3x4']) {
      expect(() => parseGrid(bad)).toThrow(expect.objectContaining({ code: 'BAD_ARGUMENTS', message: expect.stringContaining(`not "${bad}"`) }));
    }
  });

  it('defaults to tiles near the model input size, within the finest grid', () => {
    expect(defaultGrid(224, 224, RULE)).toEqual({ rows: 1, cols: 1 });
    expect(defaultGrid(1024, 768, RULE)).toEqual({ rows: 3, cols: 5 });
    expect(defaultGrid(100, 2000, RULE)).toEqual({ rows: 9, cols: 1 });
  });

  it('refuses a grid finer than the model reads, with the finest one the image allows', () => {
    expect(checkGrid({ rows: 2, cols: 2 }, 140, 140, RULE)).toEqual({ rows: 2, cols: 2 });
    const error = (() => {
      try {
        checkGrid({ rows: 3, cols: 2 }, 140, 200, RULE);
      } catch (caught) {
        return caught as AppError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('BAD_ARGUMENTS');
    expect(error.message).toBe('A 3x2 grid makes tiles of about 70×66 pixels on this 140×200 image; the model reads at least 70×70.');
    expect(error.hint).toBe('Use --grid 2x2 or coarser (the finest this image allows is 2x2).');
  });

  it('covers the image exactly, and an overlap reaches into the neighbours only', () => {
    const tiles = tileRects({ rows: 2, cols: 3 }, 100, 51);
    expect(tiles.map((t) => [t.x, t.w])).toEqual([[0, 33], [33, 34], [67, 33], [0, 33], [33, 34], [67, 33]]);
    expect(tiles.reduce((sum, t) => sum + t.w * t.h, 0)).toBe(100 * 51);
    const overlapped = tileRects({ rows: 1, cols: 2 }, 100, 40, 8);
    expect(overlapped.map((t) => [t.x, t.w, t.y, t.h])).toEqual([[0, 58, 0, 40], [42, 58, 0, 40]]);
  });
});

describe('localize', () => {
  it('skips the quadrants where A and B are the same, and points each damaged one to the better image', async () => {
    const { reference, a, b } = quadrantPair(160, 140);
    const judge = countingJudge();
    const progress: number[] = [];
    const map = await localize({ reference, a, b }, RULE, judge, { grid: { rows: 2, cols: 2 }, onTile: (_tile, done) => progress.push(done) });
    const at = (row: number, col: number) => map.tiles.find((t) => t.row === row && t.col === col)!;

    expect(map.mode).toBe('compare');
    expect(at(0, 1)).toMatchObject({ skipped: true, reason: 'no visible difference: identical pixels' });
    expect(at(1, 0)).toMatchObject({ skipped: true, reason: 'no visible difference: identical pixels' });
    // Top left: A is blurred, B is the reference there, so B is better; bottom right the reverse.
    expect(at(0, 0).skipped).toBe(false);
    expect(at(0, 0).pA!).toBeLessThan(0.1);
    expect(at(1, 1).pA!).toBeGreaterThan(0.9);
    expect(map.stats).toEqual({ asked: 2, skipped: 2, visionRuns: 0, prefillTokens: 0 });
    expect(map.cancelled).toBe(false);
    // Two orders per asked tile, and no call for a skipped one.
    expect(judge.calls).toBe(4);
    expect(progress).toEqual([1, 2, 3, 4]);
  });

  it('names the distortion of each damaged tile of one image, and skips the rest', async () => {
    const { reference, a, b } = quadrantPair(160, 140);
    const blurred = await localize({ reference, a, b: null }, RULE, psnrJudge(), { grid: { rows: 2, cols: 2 } });
    expect(blurred.mode).toBe('identify');
    expect(blurred.tiles.map((t) => (t.skipped ? 'skipped' : t.distortion))).toEqual(['blur', 'skipped', 'skipped', 'skipped']);
    const noisy = await localize({ reference, a: b, b: null }, RULE, psnrJudge(), { grid: { rows: 2, cols: 2 } });
    expect(noisy.tiles.map((t) => (t.skipped ? 'skipped' : t.distortion))).toEqual(['skipped', 'skipped', 'skipped', 'noise']);
    expect(noisy.tiles[3]!.confidence).toBeGreaterThan(0.5);
  });

  it('skips a tile within the tolerance of the reference by the SSIM map, and asks it with no tolerance', async () => {
    const { reference } = quadrantPair(140, 140);
    // A and B each differ from the reference by one grey level in one pixel per tile: never identical, SSIM ≈ 1.
    const nudge = (at: number) => ({ ...reference, data: reference.data.map((v, i) => (i % (70 * 3) === at && v < 255 ? v + 1 : v)) });
    const images = { reference, a: nudge(0), b: nudge(3) };
    const tolerant = await localize(images, RULE, psnrJudge(), { grid: { rows: 2, cols: 2 } });
    expect(tolerant.tiles.every((t) => t.skipped && t.reason === 'no visible difference: SSIM to the reference at least 0.995')).toBe(true);
    const strict = await localize(images, RULE, psnrJudge(), { grid: { rows: 2, cols: 2 }, tolerance: 0 });
    expect(strict.stats.asked).toBe(4);
  });

  it('says what is wrong with images of different sizes, images smaller than a tile, and one image without a reference', async () => {
    const { reference, a } = quadrantPair(160, 140);
    const small = quadrantPair(60, 90);
    const other = quadrantPair(160, 120).b;
    await expect(localize({ reference, a, b: other }, RULE, psnrJudge())).rejects.toMatchObject({
      code: 'IMAGE_SIZE_MISMATCH',
      message: expect.stringContaining('Image B is 160×120 but the reference is 160×140'),
    });
    await expect(localize({ reference: small.reference, a: small.a, b: small.b }, RULE, psnrJudge())).rejects.toMatchObject({
      code: 'IMAGE_TOO_SMALL',
      message: 'The images are 60×90, smaller than one tile: the model reads at least 70×70 pixels.',
    });
    await expect(localize({ reference: null, a, b: null }, RULE, psnrJudge())).rejects.toMatchObject({ code: 'IMAGE_MISSING' });
    await expect(localize({ reference, a, b: null }, RULE, psnrJudge(), { grid: { rows: 3, cols: 3 } })).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
      hint: 'Use --grid 2x2 or coarser (the finest this image allows is 2x2).',
    });
  });

  it('stops between tiles when asked to', async () => {
    const { reference, a, b } = quadrantPair(160, 140);
    const signal = { aborted: false };
    const map = await localize({ reference, a, b }, RULE, psnrJudge(), { grid: { rows: 2, cols: 2 }, signal, onTile: (_tile, done) => (signal.aborted = done === 2) });
    expect(map.cancelled).toBe(true);
    expect(map.tiles.map((tile) => [tile.row, tile.col])).toEqual([[0, 0], [0, 1]]);
  });

  it('goes on from the tiles of a stopped map: those are taken as they were, only the rest are asked', async () => {
    const { reference, a, b } = quadrantPair(160, 140);
    const grid = { rows: 2, cols: 2 };
    const whole = await localize({ reference, a, b }, RULE, psnrJudge(), { grid });
    const signal = { aborted: false };
    const stopped = await localize({ reference, a, b }, RULE, psnrJudge(), { grid, signal, onTile: (_tile, done) => (signal.aborted = done === 1) });
    expect(stopped.tiles).toHaveLength(1);
    const judge = countingJudge();
    const progress: number[] = [];
    const resumed = await localize({ reference, a, b }, RULE, judge, { grid, prior: stopped.tiles, onTile: (_tile, done) => progress.push(done) });
    expect(resumed.tiles).toEqual(whole.tiles);
    expect(resumed.stats).toEqual({ ...whole.stats, reused: 1 });
    expect(resumed.cancelled).toBe(false);
    // The first tile (asked before) is not asked again: only the bottom-right one, in both orders.
    expect(judge.calls).toBe(2);
    expect(progress).toEqual([1, 2, 3, 4]);
    // A tile of another grid or overlap is not this map's: nothing of it is taken.
    const moved = await localize({ reference, a, b }, RULE, countingJudge(), { grid, overlap: 8, prior: stopped.tiles });
    expect(moved.stats.reused).toBe(0);
  });
});
