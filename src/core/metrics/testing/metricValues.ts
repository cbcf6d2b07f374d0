import type { MetricsResult } from '../computeMetrics.ts';

/** Plausible metric values of one image against its reference (no SSIM map), with the fields a test cares about overridden. */
export function metricValues(overrides: Partial<MetricsResult> = {}): Omit<MetricsResult, 'ssimMap'> {
  return {
    width: 10,
    height: 10,
    identical: false,
    psnrRgb: 30,
    psnrLuma: 31,
    ssim: 0.9,
    ssimDownsampleFactor: 1,
    msSsim: 0.95,
    gmsd: 0.05,
    unavailable: {},
    timingsMs: { luma: 0 },
    ...overrides,
  };
}
