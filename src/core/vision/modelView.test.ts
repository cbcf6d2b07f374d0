import { describe, expect, it } from 'vitest';
import { modelView, modelViewLine, sizeMismatchNotes } from './modelView.ts';
import { DEPICTQA_WILD_RULE as WILD, type ResizeRule } from './resizeRule.ts';

/** The released Abstractor model's rule (DQ495K_Abstractor/config.yaml). */
const ABSTRACTOR: ResizeRule = { resizeShortSide: 1024, resizeLongSide: 2048, minPaddedSide: 70, patchSize: 14 };

describe('modelView', () => {
  it('shrinks a 4000×3000 photo to 299×224 and pads the width to 308 (22×16 patches)', () => {
    // ratio = min(224/3000, 672/4000) = 0.07467; 4000·ratio = 298.67 → 299.
    const view = modelView({ width: 4000, height: 3000 }, WILD);
    expect(view.resized).toEqual({ width: 299, height: 224 });
    expect(view.padded).toEqual({ width: 308, height: 224 });
    expect(view.grid).toEqual({ width: 22, height: 16 });
    expect(modelViewLine({ width: 4000, height: 3000 }, WILD)).toBe('shown to the model at 299×224, padded to 308×224');
  });

  it('keeps a small image as it is and pads it to 70 pixels a side at least', () => {
    expect(modelViewLine({ width: 64, height: 100 }, WILD)).toBe('shown to the model at 64×100 (as is), padded to 70×112');
    expect(modelViewLine({ width: 140, height: 70 }, WILD)).toBe('shown to the model at 140×70 (as is)');
  });

  it('limits a panorama by its long side: 3000×500 → 672×112', () => {
    expect(modelView({ width: 3000, height: 500 }, WILD).resized).toEqual({ width: 672, height: 112 });
  });

  it('follows the model’s rule: the Abstractor model sees a 4000×3000 photo at 1365×1024', () => {
    // ratio = min(1024/3000, 2048/4000) = 0.34133; 4000·ratio = 1365.33 → 1365, padded to 1372 (98 patches).
    expect(modelViewLine({ width: 4000, height: 3000 }, ABSTRACTOR)).toBe('shown to the model at 1365×1024, padded to 1372×1036');
    expect(modelViewLine({ width: 640, height: 480 }, ABSTRACTOR)).toBe('shown to the model at 640×480 (as is), padded to 644×490');
  });

  it('says why a picture too thin for the rule cannot be read, instead of throwing', () => {
    expect(modelViewLine({ width: 2000, height: 1 }, WILD)).toMatch(/^this model cannot read it: an image of 2000 × 1 pixels is too thin/);
    expect(modelViewLine({ width: 2000, height: 1 }, ABSTRACTOR)).toBe('shown to the model at 2000×1 (as is), padded to 2002×70');
  });
});

describe('sizeMismatchNotes', () => {
  it('warns for each of A and B whose size differs from the reference, and says what the model sees', () => {
    const notes = sizeMismatchNotes({ reference: { width: 512, height: 512 }, a: { width: 512, height: 512 }, b: { width: 256, height: 256 } }, WILD);
    expect(notes).toEqual([
      'B is 256×256, the reference 512×512: the model judges each as it sees it (B shown to the model at 224×224), but the classic metrics and the difference view need equal sizes.',
    ]);
  });

  it('says nothing without a reference or when sizes agree', () => {
    expect(sizeMismatchNotes({ a: { width: 1, height: 2 }, b: { width: 3, height: 4 } }, WILD)).toEqual([]);
    expect(sizeMismatchNotes({ reference: { width: 9, height: 9 }, a: { width: 9, height: 9 } }, WILD)).toEqual([]);
  });
});
