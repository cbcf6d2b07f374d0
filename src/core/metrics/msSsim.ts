import { boxDownsample } from './downsample.ts';
import { requireMinSide, type Plane } from './image.ts';
import { SSIM_RADIUS, ssimStats } from './ssimKernel.ts';

/** Scale weights of Wang, Simoncelli & Bovik 2003, finest scale first. */
export const MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333] as const;

/**
 * The smallest side MS-SSIM accepts: the coarsest of 5 scales must still hold the 11×11 window,
 * 11 · 2⁴ = 176 (the same check as Wang's msssim.m).
 */
export const MS_SSIM_MIN_SIDE = (2 * SSIM_RADIUS + 1) * 2 ** (MS_SSIM_WEIGHTS.length - 1);

export const MS_SSIM_NAME = 'MS-SSIM (5 scales)';

/**
 * MS-SSIM, Wang's msssim.m ('product'): mean contrast-structure at scales 1…4, mean SSIM (luminance ×
 * contrast-structure) at scale 5, each raised to its weight; 2×2 average then subsample between scales.
 * A negative mean is clamped to 0 before the fractional power (MATLAB would return a complex number),
 * so the result is always a real number in [0, 1].
 */
export function msSsim(reference: Plane, distorted: Plane, label = 'the image'): number {
  requireMinSide(reference, MS_SSIM_MIN_SIDE, MS_SSIM_NAME, label);
  let x = reference;
  let y = distorted;
  let value = 1;
  const last = MS_SSIM_WEIGHTS.length - 1;
  for (let level = 0; level <= last; level++) {
    const weight = MS_SSIM_WEIGHTS[level]!;
    if (level < last) {
      const { cs } = ssimStats(x, y, { withCs: true });
      value *= Math.max(cs, 0) ** weight;
      x = boxDownsample(x, 2);
      y = boxDownsample(y, 2);
    } else {
      value *= Math.max(ssimStats(x, y).ssim, 0) ** weight;
    }
  }
  return value;
}
