import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { bicubicAlignCorners } from './bicubicAlignCorners.ts';
import { interpolatePositionEmbedding } from './positionEmbedding.ts';
import { float32Of, loadVisionFixtures } from './testing/visionFixtures.ts';

const fixtures = loadVisionFixtures();
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`bicubic align_corners vs PyTorch (max |diff|):\n${measured.join('\n')}`);
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe("bicubicAlignCorners matches F.interpolate(mode='bicubic', align_corners=True)", () => {
  const { channels, srcH, srcW } = fixtures.interpolation;
  const input = float32Of(fixtures.interpolation.input); // [16, 16, 4]
  for (const c of fixtures.interpolation.cases) {
    it(`16×16×${channels} → ${c.dstH}×${c.dstW}`, () => {
      const ours = bicubicAlignCorners(input, srcH, srcW, c.dstH, c.dstW, channels);
      const diff = maxAbsDiff(ours, float32Of(c.output));
      const sameAsFloat64 = createHash('sha256').update(new Uint8Array(ours.buffer)).digest('hex') === c.float64Sha256;
      measured.push(`  grid ${c.dstH}×${c.dstW}: ${diff.toExponential(2)}; identical to PyTorch in float64: ${sameAsFloat64}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
      expect(sameAsFloat64).toBe(true);
    });
  }

  it('is the identity at equal size and keeps a constant grid constant', () => {
    expect(bicubicAlignCorners(input, 16, 16, 16, 16, channels)).toEqual(input);
    const flat = new Float32Array(3 * 5 * 2).fill(0.25);
    for (const v of bicubicAlignCorners(flat, 3, 5, 7, 2, 2)) expect(v).toBeCloseTo(0.25, 6);
  });

  it('refuses a grid of the wrong length', () => {
    expect(() => bicubicAlignCorners(new Float32Array(10), 2, 2, 3, 3, 2)).toThrow(/holds 10 values/);
  });
});

describe("interpolatePositionEmbedding matches DepictQA's interpolate_embedding", () => {
  const { width, table: tableB64, cases } = fixtures.positionEmbedding;
  const table = float32Of(tableB64); // [257, 8]
  for (const c of cases) {
    it(`[257, ${width}] → grid ${c.gridH}×${c.gridW}`, () => {
      const ours = interpolatePositionEmbedding(table, width, c.gridH, c.gridW);
      expect(ours.length).toBe((1 + c.gridH * c.gridW) * width);
      expect(ours.subarray(0, width)).toEqual(table.subarray(0, width)); // class position kept as is
      const diff = maxAbsDiff(ours, float32Of(c.output));
      measured.push(`  position table → ${c.gridH}×${c.gridW}: ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
    });
  }

  it('refuses a table whose patch rows do not form a square', () => {
    expect(() => interpolatePositionEmbedding(new Float32Array(11 * 4), 4, 3, 3)).toThrow(/square grid/);
  });
});
