import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { resizeBicubicPil } from './pilResize.ts';
import { DEPICTQA_WILD_RULE, needsResize, resizeTarget } from './resizeRule.ts';
import { byteDifference, cropRgb, loadVisionFixtures, readRgbPng } from './testing/visionFixtures.ts';

const fixtures = loadVisionFixtures();
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`PIL bicubic vs resizeBicubicPil (8-bit levels):\n${measured.join('\n')}`);
});

describe('resizeBicubicPil matches PIL 9.4 Image.resize(BICUBIC) on photo crops', () => {
  for (const c of fixtures.resize) {
    it(`${c.name}: ${c.height}×${c.width} → ${c.target[0]}×${c.target[1]}`, async () => {
      const source = await readRgbPng(fixtures.sources[c.source]!.file);
      const input = cropRgb(source, c.crop);
      expect([input.height, input.width]).toEqual([c.height, c.width]);
      expect(needsResize(input, DEPICTQA_WILD_RULE)).toBe(c.resizes);
      const target = resizeTarget(input, DEPICTQA_WILD_RULE);
      expect([target.height, target.width]).toEqual(c.target);
      if (!c.resizes) return; // DepictQA leaves the image alone: nothing to resample

      const ours = resizeBicubicPil(input, target.width, target.height);
      const sha = createHash('sha256').update(ours.data).digest('hex');
      if (c.expected === undefined) {
        // PIL returned a copy (same size); so must we.
        expect(Buffer.compare(ours.data, input.data)).toBe(0);
      } else {
        const pil = await readRgbPng(c.expected);
        const diff = byteDifference(ours.data, pil.data);
        measured.push(`  ${c.name.padEnd(30)} max |diff| ${diff.max}, mean ${diff.mean.toFixed(4)}, identical ${sha === c.sha256}`);
        expect(diff.max).toBeLessThanOrEqual(1);
      }
      // PIL's fixed-point arithmetic is reproduced exactly, so the bytes are identical.
      expect(sha).toBe(c.sha256);
    });
  }
});

describe('resizeBicubicPil edge cases', () => {
  it('returns a copy when the size does not change', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    const out = resizeBicubicPil(image, 2, 1);
    expect(out.data).toEqual(image.data);
    expect(out.data).not.toBe(image.data);
  });

  it('keeps a flat colour flat at any factor (weights sum to one in fixed point)', () => {
    const width = 997;
    const height = 13;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i += 3) data.set([200, 17, 255], i);
    const out = resizeBicubicPil({ width, height, data }, 31, 5);
    for (let i = 0; i < out.data.length; i += 3) expect([...out.data.subarray(i, i + 3)]).toEqual([200, 17, 255]);
  });

  it('refuses a buffer that does not match its size', () => {
    expect(() => resizeBicubicPil({ width: 3, height: 3, data: new Uint8Array(5) }, 2, 2)).toThrow(/holds 5 bytes/);
  });
});
