import { AppError } from '../errors.ts';
import { gmsd } from './gmsd.ts';
import {
  describeImage,
  MIN_SIDE,
  requireMinSide,
  toLuma,
  tooSmallError,
  validateImage,
  type MetricsImage,
} from './image.ts';
import { MS_SSIM_MIN_SIDE, MS_SSIM_NAME, msSsim } from './msSsim.ts';
import { psnrBytes, psnrPlane } from './psnr.ts';
import { ssim, type SsimMap } from './ssim.ts';

export type MetricName = 'psnr' | 'ssim' | 'msSsim' | 'gmsd';
export const METRIC_NAMES: readonly MetricName[] = ['psnr', 'ssim', 'msSsim', 'gmsd'];

export interface MetricsOptions {
  /** Metrics to compute; all by default. */
  metrics?: readonly MetricName[];
  /** Wang's ssim.m automatic downsampling before SSIM; on by default. MS-SSIM and GMSD never use it. */
  ssimDownsample?: boolean;
  /** Return the SSIM map; on by default. */
  ssimMap?: boolean;
}

/**
 * Every metric of one (reference, distorted) pair. A value is null when it was not asked for or does
 * not apply; `unavailable` says why for the latter. Luma metrics use BT.601 luma on a 0..255 scale.
 */
export interface MetricsResult {
  width: number;
  height: number;
  /** Same channel count and the same bytes: PSNR is +Infinity (the UI shows "identical"). */
  identical: boolean;
  /** dB over R, G and B pooled; for two grey images, the grey PSNR; null for grey against colour. */
  psnrRgb: number | null;
  /** dB on luma. */
  psnrLuma: number | null;
  ssim: number | null;
  /** f of Wang's automatic downsampling (1: full resolution). */
  ssimDownsampleFactor: number | null;
  ssimMap: SsimMap | null;
  msSsim: number | null;
  /** Lower is better; 0 for identical gradients. */
  gmsd: number | null;
  unavailable: { psnrRgb?: string; msSsim?: string };
  /** Time spent per metric, and on the shared luma conversion. */
  timingsMs: { luma: number } & Partial<Record<MetricName, number>>;
}

/**
 * Full-reference metrics of `distorted` against `reference`. Both must have the same size, at least
 * 11×11. A grey image against a colour one compares the colour image's luma; PSNR on RGB is then null.
 */
export function computeMetrics(
  reference: MetricsImage,
  distorted: MetricsImage,
  options: MetricsOptions = {},
): MetricsResult {
  validateImage(reference, 'the reference');
  validateImage(distorted, 'the distorted image');
  const refLabel = describeImage(reference, 'the reference');
  const distLabel = describeImage(distorted, 'the distorted image');
  if (reference.width !== distorted.width || reference.height !== distorted.height) {
    throw new AppError(
      'IMAGE_SIZE_MISMATCH',
      `${distLabel} is ${distorted.width}×${distorted.height} but ${refLabel} is ${reference.width}×${reference.height}`,
      { hint: 'Full-reference metrics compare pixel by pixel: give both images the same size.' },
    );
  }
  requireMinSide(reference, MIN_SIDE, 'SSIM (11×11 window)', refLabel);

  const wanted = new Set(options.metrics ?? METRIC_NAMES);
  const result: MetricsResult = {
    width: reference.width,
    height: reference.height,
    identical: reference.channels === distorted.channels && sameBytes(reference.data, distorted.data),
    psnrRgb: null,
    psnrLuma: null,
    ssim: null,
    ssimDownsampleFactor: null,
    ssimMap: null,
    msSsim: null,
    gmsd: null,
    unavailable: {},
    timingsMs: { luma: 0 },
  };
  const timed = <T>(run: () => T): [T, number] => {
    const start = performance.now();
    const value = run();
    return [value, performance.now() - start];
  };

  const [[x, y], lumaMs] = timed(() => [toLuma(reference), toLuma(distorted)] as const);
  result.timingsMs.luma = lumaMs;

  if (wanted.has('psnr')) {
    const start = performance.now();
    if (reference.channels === distorted.channels) {
      result.psnrRgb = psnrBytes(reference.data, distorted.data);
    } else {
      const grey = reference.channels === 1 ? refLabel : distLabel;
      result.unavailable.psnrRgb = `PSNR on RGB needs two colour images but ${grey} is grey; the luma metrics compare the colour image's luma`;
    }
    result.psnrLuma = psnrPlane(x, y);
    result.timingsMs.psnr = performance.now() - start;
  }
  if (wanted.has('ssim')) {
    const ssimOptions = { downsample: options.ssimDownsample !== false, map: options.ssimMap !== false };
    const [value, ms] = timed(() => ssim(x, y, ssimOptions, refLabel));
    result.ssim = value.value;
    result.ssimDownsampleFactor = value.downsampleFactor;
    result.ssimMap = value.map ?? null;
    result.timingsMs.ssim = ms;
  }
  if (wanted.has('msSsim')) {
    // A small image still gets every other metric; MS-SSIM alone says why it is missing.
    const tooSmall = tooSmallError(reference, MS_SSIM_MIN_SIDE, MS_SSIM_NAME, refLabel);
    if (tooSmall !== undefined) {
      result.unavailable.msSsim = tooSmall.message;
    } else {
      [result.msSsim, result.timingsMs.msSsim] = timed(() => msSsim(x, y, refLabel));
    }
  }
  if (wanted.has('gmsd')) [result.gmsd, result.timingsMs.gmsd] = timed(() => gmsd(x, y));
  return result;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
