import type { MetricsResult } from './computeMetrics.ts';

type Values = Omit<MetricsResult, 'ssimMap'>;

export interface MetricRow {
  id: 'psnrRgb' | 'psnrLuma' | 'ssim' | 'msSsim' | 'gmsd';
  label: string;
  /** What the number means, for a tooltip. */
  description: string;
  higherIsBetter: boolean;
  /** null when the metric does not apply to this pair. */
  value: (values: Values) => number | null;
  format: (value: number) => string;
}

const decibels = (value: number) => (value === Infinity ? 'identical' : `${value.toFixed(2)} dB`);
const unit = (value: number) => value.toFixed(4);

/** The metrics the page shows, in order, with their direction. */
export const METRIC_ROWS: readonly MetricRow[] = [
  { id: 'psnrRgb', label: 'PSNR (RGB)', description: 'Peak signal-to-noise ratio over R, G and B, data range 255.', higherIsBetter: true, value: (v) => v.psnrRgb, format: decibels },
  { id: 'psnrLuma', label: 'PSNR (Y)', description: 'PSNR on BT.601 luma.', higherIsBetter: true, value: (v) => v.psnrLuma, format: decibels },
  { id: 'ssim', label: 'SSIM', description: 'Wang et al. 2004 on luma: 11×11 Gaussian window, σ 1.5, with automatic downsampling.', higherIsBetter: true, value: (v) => v.ssim, format: unit },
  { id: 'msSsim', label: 'MS-SSIM', description: 'Multi-scale SSIM, 5 scales (Wang et al. 2003).', higherIsBetter: true, value: (v) => v.msSsim, format: unit },
  { id: 'gmsd', label: 'GMSD', description: 'Gradient magnitude similarity deviation (Xue et al. 2014); lower is better.', higherIsBetter: false, value: (v) => v.gmsd, format: unit },
];

/** Which of A and B a metric prefers; 'tie' when equal, null when either is missing. */
export function preferred(row: MetricRow, a: Values | null, b: Values | null): 'A' | 'B' | 'tie' | null {
  const va = a === null ? null : row.value(a);
  const vb = b === null ? null : row.value(b);
  if (va === null || vb === null || Number.isNaN(va) || Number.isNaN(vb)) return null;
  if (va === vb) return 'tie';
  return (va > vb) === row.higherIsBetter ? 'A' : 'B';
}
