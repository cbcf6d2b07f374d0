import { describe, expect, it } from 'vitest';
import { METRIC_ROWS, preferred } from './metricRows.ts';
import { metricValues } from './testing/metricValues.ts';

const values = metricValues;

const row = (id: string) => METRIC_ROWS.find((candidate) => candidate.id === id)!;

describe('preferred', () => {
  it('prefers the higher PSNR/SSIM and the lower GMSD', () => {
    const a = values({ psnrRgb: 35, ssim: 0.8, gmsd: 0.02 });
    const b = values({ psnrRgb: 30, ssim: 0.9, gmsd: 0.08 });
    expect(preferred(row('psnrRgb'), a, b)).toBe('A');
    expect(preferred(row('ssim'), a, b)).toBe('B');
    expect(preferred(row('gmsd'), a, b)).toBe('A');
  });

  it('says tie for equal values, including two identical images, and null when a value is missing', () => {
    expect(preferred(row('psnrRgb'), values({ psnrRgb: Infinity }), values({ psnrRgb: Infinity }))).toBe('tie');
    expect(preferred(row('psnrRgb'), values({ psnrRgb: null }), values({}))).toBeNull();
    expect(preferred(row('ssim'), null, values({}))).toBeNull();
  });

  it('formats identical images in words', () => {
    expect(row('psnrRgb').format(Infinity)).toBe('identical');
    expect(row('psnrLuma').format(27.123)).toBe('27.12 dB');
    expect(row('ssim').format(0.35796)).toBe('0.3580');
  });
});
