import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { needsResize, paddedSize, patchGrid, pyRound, resizeTarget } from './resizeRule.ts';
import { int32Of, loadVisionFixtures } from './testing/visionFixtures.ts';

describe('pyRound', () => {
  it('rounds halves to the even neighbour like Python 3', () => {
    expect([0.5, 1.5, 2.5, 3.5, 234.5, 235.5, 10.5, -0.5, -1.5, -2.5].map(pyRound)).toEqual([
      0, 2, 2, 4, 234, 236, 10, 0, -2, -2,
    ]);
  });

  it('rounds non-halves to the nearest integer, judging the float64 value (2.675 is below 2.675)', () => {
    expect([0.49999999999999994, 2.4999999999999996, 2.5000000000000004, 2.675, 7, -3.7].map(pyRound)).toEqual([
      0, 2, 3, 3, 7, -4,
    ]);
  });

  it('refuses NaN and infinities', () => {
    expect(() => pyRound(Number.NaN)).toThrow(RangeError);
    expect(() => pyRound(Infinity)).toThrow(RangeError);
  });
});

describe('resizeTarget', () => {
  it('agrees with DepictQA in Python on 1,800 sizes, many of them exact ties', () => {
    const table = int32Of(loadVisionFixtures().ruleTable); // [n, 4]: h, w, target h, target w
    let checked = 0;
    let ties = 0;
    for (let i = 0; i < table.length; i += 4) {
      const [height, width, th, tw] = [table[i]!, table[i + 1]!, table[i + 2]!, table[i + 3]!];
      if (th === 0 || tw === 0) {
        // PIL would make an empty image; we refuse instead.
        expect(() => resizeTarget({ height, width })).toThrow(AppError);
        continue;
      }
      const ratio = Math.min(224 / Math.min(height, width), 672 / Math.max(height, width));
      if (needsResize({ height, width }) && ((height * ratio) % 1 === 0.5 || (width * ratio) % 1 === 0.5)) ties++;
      expect(resizeTarget({ height, width }), `${height}×${width}`).toEqual({ height: th, width: tw });
      checked++;
    }
    expect(checked).toBeGreaterThan(1500);
    expect(ties).toBeGreaterThan(100);
  });

  it('never upscales and leaves small images alone', () => {
    expect(resizeTarget({ height: 223, width: 671 })).toEqual({ height: 223, width: 671 });
    expect(resizeTarget({ height: 1, width: 1 })).toEqual({ height: 1, width: 1 });
    expect(resizeTarget({ height: 224, width: 224 })).toEqual({ height: 224, width: 224 });
  });

  it('refuses an image so thin that a side would round to 0, naming the size', () => {
    expect(() => resizeTarget({ height: 1, width: 1344 })).toThrow(/1344 × 1 pixels is too thin/);
    expect(resizeTarget({ height: 1, width: 1343 })).toEqual({ height: 1, width: 672 });
  });
});

describe('paddedSize and patchGrid', () => {
  it('pads to whole 14-pixel patches, at least 70 a side', () => {
    expect(paddedSize({ height: 224, width: 269 })).toEqual({ height: 224, width: 280 });
    expect(paddedSize({ height: 1, width: 71 })).toEqual({ height: 70, width: 84 });
    expect(paddedSize({ height: 672, width: 10 })).toEqual({ height: 672, width: 70 });
    expect(patchGrid({ height: 224, width: 280 })).toEqual({ height: 16, width: 20 });
    expect(() => patchGrid({ height: 225, width: 280 })).toThrow(/not a multiple of 14/);
  });
});
