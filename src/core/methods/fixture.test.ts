import { describe, expect, it } from 'vitest';
import type { ComparisonRecord } from '../ranking/records.ts';
import fixture from './fixtures/methods.json';
import { methodStats, type MethodImage, type MetricValues } from './methodStats.ts';

/** The method-level statistics against cli/compare/make_methods_fixture.py (numpy + scipy). */

type FixtureCase = (typeof fixture.cases)[number];
type Number_ = number | string | null;
/** JSON has no infinity: the script writes PSNR = inf as "Infinity". */
const decode = (value: Number_): number | null => (value === 'Infinity' ? Infinity : (value as number | null));

function images(testCase: FixtureCase): MethodImage[] {
  return testCase.images.map((image) => {
    const raw = (image as { metrics?: Record<string, Record<string, Number_>> }).metrics;
    const metrics =
      raw === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(raw).map(([name, values]) => [name, Object.fromEntries(Object.entries(values).map(([m, v]) => [m, decode(v)])) as MetricValues]),
          );
    return { id: image.id, methods: image.methods, records: image.records as ComparisonRecord[], ...(metrics === undefined ? {} : { metrics }) };
  });
}

const close = (actual: number | null, expected: Number_, tolerance: number, what: string) => {
  if (expected === null) return expect(actual, what).toBeNull();
  expect(actual, what).not.toBeNull();
  expect(Math.abs(actual! - decode(expected)!), `${what}: ${actual} vs ${expected}`).toBeLessThan(tolerance);
};

describe.each(fixture.cases.map((c) => [c.name, c] as const))('case %s', (_, testCase) => {
  const stats = methodStats(testCase.methods, images(testCase), testCase.options);
  const expected = testCase.stats;

  it('orders the methods and each id as the script does', () => {
    expect(stats.methods.map((m) => m.name)).toEqual(expected.methods.map((m) => m.name));
    expect(stats.images).toEqual(expected.images);
  });

  it('fits the same Bradley–Terry scores (1e-6) and the same seeded bootstrap intervals (1e-5)', () => {
    stats.methods.forEach((method, k) => {
      const want = expected.methods[k]!;
      close(method.score, want.score, 1e-6, `${method.name} score`);
      close(method.low, want.low, 1e-5, `${method.name} low`);
      close(method.high, want.high, 1e-5, `${method.name} high`);
    });
  });

  it('counts the same wins, with scipy’s Wilson intervals', () => {
    type Cell = { rate: number | null; low: number | null; high: number | null; n: number };
    for (const [a, row] of Object.entries(expected.winMatrix as unknown as Record<string, Record<string, Cell>>)) {
      for (const [b, want] of Object.entries(row)) {
        const cell = stats.winMatrix[a]![b]!;
        expect(cell.n, `${a} vs ${b}`).toBe(want.n);
        close(cell.rate, want.rate, 1e-12, `${a} vs ${b} rate`);
        close(cell.low, want.low, 1e-9, `${a} vs ${b} low`);
        close(cell.high, want.high, 1e-9, `${a} vs ${b} high`);
      }
    }
    stats.methods.forEach((method, k) => close(method.winRate, expected.methods[k]!.winRate, 1e-12, `${method.name} win rate`));
  });

  it('averages the metrics, measures agreement and lists the same disagreements', () => {
    stats.methods.forEach((method, k) => {
      for (const [metric, want] of Object.entries(expected.methods[k]!.metrics)) {
        close(method.metrics[metric as keyof MetricValues], want, 1e-12, `${method.name} ${metric}`);
      }
    });
    for (const [metric, want] of Object.entries(expected.agreement)) close(stats.agreement[metric as keyof MetricValues], want, 1e-12, `agreement ${metric}`);
    expect(stats.disagreements.map(({ id, better, worse, metrics }) => ({ id, better, worse, metrics: Object.keys(metrics).sort() }))).toEqual(
      expected.disagreements.map(({ id, better, worse, metrics }) => ({ id, better, worse, metrics: Object.keys(metrics).sort() })),
    );
    stats.disagreements.forEach((d, k) => close(d.confidence, expected.disagreements[k]!.confidence, 1e-12, `disagreement ${k}`));
  });
});
