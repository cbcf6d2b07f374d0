import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { DEPICTQA_WILD_RULE as WILD, largestPadded, needsResize, paddedSize, patchGrid, pyRound, resizeTarget, type ResizeRule } from './resizeRule.ts';
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

/** The released Abstractor model's rule (DQ495K_Abstractor/config.yaml). */
const ABSTRACTOR: ResizeRule = { resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70, patchSize: 14 };

describe('resizeTarget', () => {
  it.each([
    ['DepictQA-Wild’s 224 / 672', 'ruleTable', WILD, 1500, 100],
    ['the Abstractor’s 1024 / 2048', 'ruleTableAbstractor', ABSTRACTOR, 1000, 40],
  ] as const)('agrees with DepictQA in Python for %s on many sizes, many of them exact ties', (_name, key, rule, least, leastTies) => {
    const table = int32Of(loadVisionFixtures()[key]); // [n, 4]: h, w, target h, target w
    let checked = 0;
    let ties = 0;
    for (let i = 0; i < table.length; i += 4) {
      const [height, width, th, tw] = [table[i]!, table[i + 1]!, table[i + 2]!, table[i + 3]!];
      if (th === 0 || tw === 0) {
        // PIL would make an empty image; we refuse instead.
        expect(() => resizeTarget({ height, width }, rule)).toThrow(AppError);
        continue;
      }
      const ratio = Math.min(rule.resizeShortSide / Math.min(height, width), rule.resizeLongSide / Math.max(height, width));
      if (needsResize({ height, width }, rule) && ((height * ratio) % 1 === 0.5 || (width * ratio) % 1 === 0.5)) ties++;
      expect(resizeTarget({ height, width }, rule), `${height}×${width}`).toEqual({ height: th, width: tw });
      checked++;
    }
    expect(checked).toBeGreaterThan(least);
    expect(ties).toBeGreaterThan(leastTies);
  });

  it('never upscales and leaves small images alone', () => {
    expect(resizeTarget({ height: 223, width: 671 }, WILD)).toEqual({ height: 223, width: 671 });
    expect(resizeTarget({ height: 1, width: 1 }, WILD)).toEqual({ height: 1, width: 1 });
    expect(resizeTarget({ height: 224, width: 224 }, WILD)).toEqual({ height: 224, width: 224 });
  });

  it('refuses an image so thin that a side would round to 0, naming the size', () => {
    expect(() => resizeTarget({ height: 1, width: 1344 }, WILD)).toThrow(/1344 × 1 pixels is too thin/);
    expect(resizeTarget({ height: 1, width: 1343 }, WILD)).toEqual({ height: 1, width: 672 });
    expect(() => resizeTarget({ height: 1, width: 4096 }, ABSTRACTOR)).toThrow(/long side shrunk to 2048 pixels/);
    expect(resizeTarget({ height: 1, width: 1344 }, ABSTRACTOR)).toEqual({ height: 1, width: 1344 });
  });
});

describe('paddedSize and patchGrid', () => {
  it('pads to whole 14-pixel patches, at least 70 a side', () => {
    expect(paddedSize({ height: 224, width: 269 }, WILD)).toEqual({ height: 224, width: 280 });
    expect(paddedSize({ height: 1, width: 71 }, WILD)).toEqual({ height: 70, width: 84 });
    expect(paddedSize({ height: 672, width: 10 }, WILD)).toEqual({ height: 672, width: 70 });
    expect(patchGrid({ height: 224, width: 280 }, WILD)).toEqual({ height: 16, width: 20 });
    expect(() => patchGrid({ height: 225, width: 280 }, WILD)).toThrow(/not a multiple of 14/);
  });

  it('bounds the encoder’s input by the rule: 224 × 672 (16 × 48 patches), 1036 × 2058 (74 × 147) for the Abstractor', () => {
    expect(largestPadded(WILD)).toEqual({ height: 224, width: 672 });
    expect(largestPadded(ABSTRACTOR)).toEqual({ height: 1036, width: 2058 });
    expect(patchGrid(largestPadded(ABSTRACTOR), ABSTRACTOR)).toEqual({ height: 74, width: 147 });
  });
});
