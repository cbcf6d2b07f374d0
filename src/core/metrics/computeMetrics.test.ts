import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { computeMetrics } from './computeMetrics.ts';
import { toLuma, type MetricsImage } from './image.ts';
import { msSsim } from './msSsim.ts';
import { psnrBytes } from './psnr.ts';
import { greyOf, synthetic } from './testing/distortions.ts';

function flat(width: number, height: number, channels: 1 | 3, value: number, name?: string): MetricsImage {
  return { width, height, channels, data: new Uint8Array(width * height * channels).fill(value), ...(name ? { name } : {}) };
}

function thrown(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected an AppError');
}

function expectAllFinite(values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) expect(Number.isFinite(values[i]!), `value ${i}`).toBe(true);
}

describe('computeMetrics: bad input', () => {
  it('refuses images of different sizes, naming both', () => {
    const error = thrown(() => computeMetrics(flat(64, 48, 3, 9, 'ref.png'), flat(48, 64, 3, 9, 'dist.png')));
    expect(error.code).toBe('IMAGE_SIZE_MISMATCH');
    expect(error.message).toBe('"dist.png" is 48×64 but "ref.png" is 64×48');
    expect(error.hint).toMatch(/same size/);
  });

  it('refuses a 7×7 image: the SSIM window is 11×11', () => {
    const error = thrown(() => computeMetrics(flat(7, 7, 3, 1, 'tiny.png'), flat(7, 7, 3, 2)));
    expect(error.code).toBe('IMAGE_TOO_SMALL');
    expect(error.message).toBe('"tiny.png" is 7×7; SSIM (11×11 window) needs at least 11×11 pixels');
    expect(thrown(() => computeMetrics(flat(11, 10, 1, 1), flat(11, 10, 1, 1))).code).toBe('IMAGE_TOO_SMALL');
  });

  it('refuses a pixel buffer that does not match the declared size', () => {
    const broken: MetricsImage = { width: 20, height: 20, channels: 3, data: new Uint8Array(20 * 20), name: 'x.raw' };
    const error = thrown(() => computeMetrics(broken, flat(20, 20, 3, 0)));
    expect(error.code).toBe('IMAGE_DECODE_FAILED');
    expect(error.message).toBe('"x.raw": pixel buffer holds 400 bytes, expected 20×20×3 = 1200');
  });

  it('computes every other metric below 176 px and says why MS-SSIM is missing', () => {
    const result = computeMetrics(synthetic(120, 100, false), synthetic(120, 100, true));
    expect(result.msSsim).toBeNull();
    expect(result.unavailable.msSsim).toBe('the reference is 120×100; MS-SSIM (5 scales) needs at least 176×176 pixels');
    expect(result.ssim).toBeGreaterThan(0);
    expect(result.gmsd).toBeGreaterThan(0);
  });

  it('msSsim itself throws IMAGE_TOO_SMALL naming the minimum', () => {
    const plane = toLuma(synthetic(300, 175, false));
    const error = thrown(() => msSsim(plane, plane, '"a.png"'));
    expect(error.code).toBe('IMAGE_TOO_SMALL');
    expect(error.message).toMatch(/176×176/);
  });
});

describe('computeMetrics: grey and colour', () => {
  it('a grey pair: PSNR on RGB is the grey PSNR', () => {
    const a = greyOf(synthetic(40, 30, false));
    const b = greyOf(synthetic(40, 30, true));
    const result = computeMetrics(a, b);
    expect(result.psnrRgb).toBe(psnrBytes(a.data, b.data));
    expect(result.psnrLuma).toBeCloseTo(result.psnrRgb!, 10);
    expect(result.unavailable.psnrRgb).toBeUndefined();
  });

  it('grey against colour: luma metrics on the colour luma, PSNR on RGB unavailable with a reason', () => {
    const colour = { ...synthetic(40, 30, true), name: 'colour.png' };
    const grey = { ...greyOf(synthetic(40, 30, false)), name: 'grey.png' };
    for (const [reference, distorted] of [
      [colour, grey],
      [grey, colour],
    ] as const) {
      const result = computeMetrics(reference, distorted);
      expect(result.psnrRgb).toBeNull();
      expect(result.unavailable.psnrRgb).toMatch(/"grey\.png" is grey/);
      expect(result.psnrLuma).toBeGreaterThan(10);
      expect(result.ssim).toBeGreaterThan(0);
      expect(result.identical).toBe(false);
    }
    // The colour image's luma, rounded, is nearly the grey one: luma metrics see almost no difference.
    const same = computeMetrics(colour, greyOf(colour));
    expect(same.psnrLuma).toBeGreaterThan(55);
    expect(same.ssim).toBeGreaterThan(0.999);
  });
});

describe('computeMetrics: degenerate images never give NaN', () => {
  it('identical flat images: PSNR +Infinity, SSIM and MS-SSIM 1, GMSD 0', () => {
    const a = flat(200, 180, 3, 77);
    const result = computeMetrics(a, flat(200, 180, 3, 77));
    expect(result.identical).toBe(true);
    expect(result.psnrRgb).toBe(Number.POSITIVE_INFINITY);
    expect(result.psnrLuma).toBe(Number.POSITIVE_INFINITY);
    expect(result.ssim).toBeCloseTo(1, 12);
    expect(result.msSsim).toBeCloseTo(1, 12);
    expect(result.gmsd).toBe(0);
    expectAllFinite(result.ssimMap!.data);
  });

  it('two different flat images (black against white): finite everywhere', () => {
    const result = computeMetrics(flat(200, 180, 1, 0), flat(200, 180, 1, 255));
    expect(result.psnrRgb).toBe(0);
    for (const value of [result.ssim, result.msSsim, result.gmsd]) expect(Number.isFinite(value)).toBe(true);
    expect(result.ssim).toBeLessThan(0.01);
    // GMSD.m's conv2 pads with zeros, so white has gradients along its border and black has none.
    expect(result.gmsd).toBeGreaterThan(0);
    expectAllFinite(result.ssimMap!.data);
  });

  it('a flat reference against a textured image: finite, and MS-SSIM stays in [0, 1]', () => {
    const result = computeMetrics(flat(180, 180, 3, 128), synthetic(180, 180, true));
    for (const value of [result.psnrRgb, result.psnrLuma, result.ssim, result.msSsim, result.gmsd]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    expect(result.msSsim).toBeGreaterThanOrEqual(0);
    expect(result.msSsim).toBeLessThanOrEqual(1);
    expectAllFinite(result.ssimMap!.data);
  });
});

describe('computeMetrics: options', () => {
  it('computes only the metrics asked for, and the map only when wanted', () => {
    const a = synthetic(64, 64, false);
    const b = synthetic(64, 64, true);
    const result = computeMetrics(a, b, { metrics: ['psnr'] });
    expect(result.psnrLuma).not.toBeNull();
    expect([result.ssim, result.ssimMap, result.msSsim, result.gmsd]).toEqual([null, null, null, null]);
    expect(Object.keys(result.timingsMs).sort()).toEqual(['luma', 'psnr']);
    expect(computeMetrics(a, b, { metrics: ['ssim'], ssimMap: false }).ssimMap).toBeNull();
  });

  it('downsamples SSIM like ssim.m by default (f = 2 at 384 px) and not when told', () => {
    const a = synthetic(400, 384, false);
    const b = synthetic(400, 384, true);
    const auto = computeMetrics(a, b, { metrics: ['ssim'] });
    expect(auto.ssimDownsampleFactor).toBe(2);
    expect([auto.ssimMap!.width, auto.ssimMap!.height]).toEqual([200, 192]);
    const full = computeMetrics(a, b, { metrics: ['ssim'], ssimDownsample: false });
    expect(full.ssimDownsampleFactor).toBe(1);
    expect([full.ssimMap!.width, full.ssimMap!.height]).toEqual([400, 384]);
    expect(full.ssim).not.toBeCloseTo(auto.ssim!, 3);
  });
});
