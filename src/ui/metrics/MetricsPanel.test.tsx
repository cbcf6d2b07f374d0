import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { MetricValues } from '../../state/useMetricsStore.ts';
import { MetricsBody } from './MetricsPanel.tsx';
import { metricValues } from '../../core/metrics/testing/metricValues.ts';

const values = (overrides: Partial<MetricValues>): MetricValues => metricValues(overrides);

// A wins on both PSNRs, SSIM and GMSD; B on MS-SSIM.
const entries = {
  a: { key: 'r:a', status: 'done' as const, values: values({ psnrRgb: 35, psnrLuma: 36, ssim: 0.95, msSsim: 0.9, gmsd: 0.02 }) },
  b: { key: 'r:b', status: 'done' as const, values: values({ psnrRgb: 30, psnrLuma: 31, ssim: 0.9, msSsim: 0.97, gmsd: 0.08 }) },
};

const agreementOf = (html: string) => [...html.matchAll(/data-agreement="(\w+)"/g)].map((match) => match[1]);

describe('MetricsBody', () => {
  it('sets each metric against the model’s verdict and counts the agreeing ones', () => {
    const html = renderToStaticMarkup(<MetricsBody entries={entries} slots={['a', 'b']} verdict="B" />);
    expect(html).toContain('Model: Image B is better.');
    expect(html).toContain('1 of 5 metrics agree with the model.');
    expect(agreementOf(html)).toEqual(['disagrees', 'disagrees', 'disagrees', 'agrees', 'disagrees']);
    expect(html).toContain('>Model</th>');
  });

  it('shows no model column without a verdict for these images', () => {
    const html = renderToStaticMarkup(<MetricsBody entries={entries} slots={['a', 'b']} verdict={null} />);
    expect(html).not.toContain('Model:');
    expect(agreementOf(html)).toEqual([]);
  });

  it('shows no agreement with one image only', () => {
    const html = renderToStaticMarkup(<MetricsBody entries={{ a: entries.a, b: null }} slots={['a']} verdict="A" />);
    expect(html).not.toContain('Model:');
  });
});
