import type { Plane } from './image.ts';

/** Peak value of 8-bit data: PSNR's data range. */
const PEAK = 255;

function psnrFromMse(mse: number): number {
  // Identical inputs: +Infinity, which the UI shows as "identical".
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((PEAK * PEAK) / mse);
}

/**
 * PSNR in dB over every sample of two 8-bit buffers of equal length (RGB: all three channels pooled,
 * as scikit-image's peak_signal_noise_ratio does). Sums squared differences exactly in integers.
 */
export function psnrBytes(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return psnrFromMse(sum / a.length);
}

/** PSNR in dB between two float planes on a 0..255 scale (e.g. luma). */
export function psnrPlane(a: Plane, b: Plane): number {
  const x = a.data;
  const y = b.data;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - y[i]!;
    sum += d * d;
  }
  return psnrFromMse(sum / x.length);
}
