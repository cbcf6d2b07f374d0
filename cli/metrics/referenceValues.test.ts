import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from './decodeImage.ts';
import { computeMetrics } from '../../src/core/metrics/computeMetrics.ts';
import { toLuma, type MetricsImage } from '../../src/core/metrics/image.ts';
import { ssim } from '../../src/core/metrics/ssim.ts';
import {
  addNoise,
  greyOf,
  integerBlur,
  shiftChannels,
  synthetic,
  type Distortion,
} from '../../src/core/metrics/testing/distortions.ts';
import { LegacyRandomState } from '../../src/core/metrics/testing/numpyRandom.ts';

/**
 * Our metrics against the values that tools/fixtures/metrics_fixtures.py computed with scikit-image
 * (PSNR, SSIM) and NumPy/SciPy transcriptions of Wang's ssim.m / msssim.m and Xue's GMSD.m. The fixture
 * images are decoded by the CLI's decoder, so this also holds `npm run metrics` to the reference.
 */
const fixtureDir = fileURLToPath(new URL('../../src/core/metrics/fixtures/', import.meta.url));

interface PairFixture {
  reference: string;
  distortion: Distortion;
  sha256: string;
  psnrRgb: number | null;
  psnrLuma: number;
  ssim: number;
  ssimDownsampled: number;
  ssimDownsampleFactor: number;
  msSsim: number;
  gmsd: number;
}

interface Fixtures {
  randnSeed5: number[];
  images: Record<string, { file: string; width: number; height: number; channels: 1 | 3; sha256: string }>;
  pairs: PairFixture[];
  cameraAnchor: PairFixture & { ipol: number };
  downsampling: {
    width: number;
    height: number;
    sha256Reference: string;
    sha256Distorted: string;
    factor: number;
    ssimDownsampled: number;
    ssim: number;
  }[];
  ssimMap: { width: number; height: number; map: number[] };
}

const fixtures = JSON.parse(readFileSync(`${fixtureDir}metrics_fixtures.json`, 'utf8')) as Fixtures;
const TOLERANCE = { psnrRgb: 1e-3, psnrLuma: 1e-3, ssim: 1e-4, ssimDownsampled: 1e-4, msSsim: 1e-4, gmsd: 1e-4 };
type Measured = keyof typeof TOLERANCE;
const maxDiff: Record<Measured, number> = {
  psnrRgb: 0,
  psnrLuma: 0,
  ssim: 0,
  ssimDownsampled: 0,
  msSsim: 0,
  gmsd: 0,
};

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const references = new Map<string, MetricsImage>();

async function distort(reference: MetricsImage, distortion: Distortion): Promise<MetricsImage> {
  switch (distortion.kind) {
    case 'noise':
      return addNoise(reference, distortion.sigma, distortion.seed);
    case 'blur':
      return integerBlur(reference, distortion.kernel);
    case 'shift':
      return shiftChannels(reference, distortion.amounts);
    case 'grey':
      return greyOf(reference);
    case 'jpeg':
      return decodeImage(`${fixtureDir}${distortion.file}`);
  }
}

function expectClose(metric: Measured, actual: number | null, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(actual).not.toBeNull();
  const diff = Math.abs(actual! - expected);
  maxDiff[metric] = Math.max(maxDiff[metric], diff);
  expect(diff, `${metric}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOLERANCE[metric]);
}

async function checkPair(pair: PairFixture): Promise<void> {
  const reference = references.get(pair.reference)!;
  const distorted = await distort(reference, pair.distortion);
  // Same pixels as the script's, or every comparison below would be meaningless.
  expect(sha256(distorted.data)).toBe(pair.sha256);
  const result = computeMetrics(reference, distorted, { ssimDownsample: false, ssimMap: false });
  expectClose('psnrRgb', result.psnrRgb, pair.psnrRgb);
  expectClose('psnrLuma', result.psnrLuma, pair.psnrLuma);
  expectClose('ssim', result.ssim, pair.ssim);
  expectClose('msSsim', result.msSsim, pair.msSsim);
  expectClose('gmsd', result.gmsd, pair.gmsd);
  const downsampled = ssim(toLuma(reference), toLuma(distorted), { map: false });
  expect(downsampled.downsampleFactor).toBe(pair.ssimDownsampleFactor);
  expectClose('ssimDownsampled', downsampled.value, pair.ssimDownsampled);
}

beforeAll(async () => {
  for (const [name, info] of Object.entries(fixtures.images)) {
    const image = await decodeImage(`${fixtureDir}${info.file}`);
    expect([image.width, image.height, image.channels]).toEqual([info.width, info.height, info.channels]);
    expect(sha256(image.data)).toBe(info.sha256);
    references.set(name, image);
  }
});

afterAll(() => {
  // The accuracy actually reached, for the record.
  console.log('max |ours − reference|:', JSON.stringify(maxDiff));
});

describe('metrics against the Python reference', () => {
  it('rebuilds NumPy legacy randn bit for bit', () => {
    expect(Array.from(new LegacyRandomState(5).randn(6))).toEqual(fixtures.randnSeed5);
  });

  it.each(fixtures.pairs.map((pair) => [pair.reference, JSON.stringify(pair.distortion), pair] as const))(
    '%s, %s',
    async (_name, _distortion, pair) => {
      await checkPair(pair);
    },
  );

  it("matches skimage's own SSIM anchor: camera against camera + N(0, 20²) noise = 0.35796", async () => {
    const anchor = fixtures.cameraAnchor;
    await checkPair(anchor);
    const camera = references.get('camera')!;
    const noisy = addNoise(camera, 20, 5);
    const value = ssim(toLuma(camera), toLuma(noisy), { downsample: false, map: false }).value;
    // skimage's test checks against IPOL's imdiff to 3 decimals; we equal skimage itself far closer.
    expect(Math.abs(value - 0.35796)).toBeLessThan(5e-6);
    expect(Math.abs(value - anchor.ipol)).toBeLessThan(1e-3);
  });

  it.each(fixtures.downsampling.map((c) => [c.width, c.height, c.factor, c] as const))(
    "Wang's downsampling at %d×%d (f = %d)",
    (width, height, factor, expected) => {
      const reference = synthetic(width, height, false);
      const distorted = synthetic(width, height, true);
      expect(sha256(reference.data)).toBe(expected.sha256Reference);
      expect(sha256(distorted.data)).toBe(expected.sha256Distorted);
      const x = toLuma(reference);
      const y = toLuma(distorted);
      const down = ssim(x, y);
      expect(down.downsampleFactor).toBe(factor);
      expect(down.map!.width).toBe(Math.ceil(width / factor));
      expect(down.map!.height).toBe(Math.ceil(height / factor));
      expectClose('ssimDownsampled', down.value, expected.ssimDownsampled);
      expectClose('ssim', ssim(x, y, { downsample: false, map: false }).value, expected.ssim);
    },
  );

  it("returns skimage's full SSIM map, mirrored borders included", () => {
    const { width, height, map } = fixtures.ssimMap;
    const result = ssim(toLuma(synthetic(width, height, false)), toLuma(synthetic(width, height, true)));
    expect(result.map!.data.length).toBe(map.length);
    let worst = 0;
    result.map!.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - map[i]!))));
    // The map is Float32: half an ulp at 1 is 6e-8.
    expect(worst).toBeLessThan(1e-6);
  });
});
