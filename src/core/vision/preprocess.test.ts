import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD, normalizeClip, padCenter, padOffsets } from './padNormalize.ts';
import { preprocessImage } from './preprocess.ts';
import { DEPICTQA_WILD_RULE } from './resizeRule.ts';
import { cropRgb, float32Of, int32Of, loadVisionFixtures, readRgbPng } from './testing/visionFixtures.ts';

const fixtures = loadVisionFixtures();
const measured: string[] = [];
afterAll(() => {
  if (measured.length > 0) console.log(`full preprocessing vs Python:\n${measured.join('\n')}`);
});

describe('preprocessImage reproduces DepictQA (PIL resize, torchvision center_crop padding, CLIP normalisation)', () => {
  for (const p of fixtures.preprocess) {
    it(p.case, async () => {
      const c = fixtures.resize.find((r) => r.name === p.case)!;
      const image = cropRgb(await readRgbPng(fixtures.sources[c.source]!.file), c.crop);
      const out = preprocessImage(image, DEPICTQA_WILD_RULE);
      expect([out.resized.height, out.resized.width]).toEqual(p.resized);
      expect([out.padded.height, out.padded.width]).toEqual(p.padded);
      expect([out.offset.left, out.offset.top]).toEqual([p.ltrb[0], p.ltrb[1]]);
      expect(out.grid).toEqual({ height: p.padded[0] / 14, width: p.padded[1] / 14 });
      expect(out.pixelValues.length).toBe(3 * p.padded[0] * p.padded[1]);

      // Bit-identical to DepictQA's float64 arithmetic rounded to float32.
      const sha = createHash('sha256').update(new Uint8Array(out.pixelValues.buffer)).digest('hex');
      expect(sha).toBe(p.sha256);
      // And within 1e-5 of torchvision's float32 ToTensor + Normalize at the sampled positions.
      const indices = int32Of(p.indices);
      const depictqa = float32Of(p.depictqa);
      const torchvision = float32Of(p.torchvision);
      let maxTv = 0;
      for (let k = 0; k < indices.length; k++) {
        const v = out.pixelValues[indices[k]!]!;
        expect(v).toBe(depictqa[k]);
        maxTv = Math.max(maxTv, Math.abs(v - torchvision[k]!));
      }
      measured.push(`  ${p.case.padEnd(24)} sha256 identical; max |ours - torchvision float32| ${maxTv.toExponential(2)}`);
      expect(maxTv).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('padding and normalisation', () => {
  it('puts the odd pixel of padding at the bottom/right, like torchvision', () => {
    expect(padOffsets({ height: 50, width: 61 }, { height: 70, width: 70 })).toEqual({ top: 10, left: 4 });
    const image = { width: 1, height: 1, data: new Uint8Array([9, 8, 7]) };
    const padded = padCenter(image, { height: 2, width: 3 });
    expect([...padded.data]).toEqual([0, 0, 0, 9, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('maps black padding and white to (v/255 - mean) / std per channel, in CHW order', () => {
    const out = normalizeClip({ width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) });
    for (let c = 0; c < 3; c++) {
      expect(out[c * 2]).toBeCloseTo(-CLIP_MEAN[c]! / CLIP_STD[c]!, 6);
      expect(out[c * 2 + 1]).toBeCloseTo((1 - CLIP_MEAN[c]!) / CLIP_STD[c]!, 6);
    }
  });
});
