import { describe, expect, it } from 'vitest';
import { comparisonConfidence, firstImageMention, parseComparison, parseReasoning } from './verdict.ts';

describe('parseComparison: brief answers', () => {
  it.each([
    ['Image A', 'A'],
    ['Image B\n ', 'B'],
    ['Image A.', 'A'],
    ['image b', 'B'],
    ['B', 'B'],
    ['Image A is better', 'A'],
    ['I believe Image B has better overall quality.', 'B'],
    ['My preference leans towards Image A to have better general quality.', 'A'],
    ['I choose Image B to be superior in terms of quality.', 'B'],
    ['Upon evaluation, I select Image A as the one with better quality.', 'A'],
  ] as const)('%j → %s', (answer, expected) => {
    expect(parseComparison(answer)).toBe(expected);
  });
});

describe('parseComparison: reasoning paragraphs', () => {
  it.each([
    [
      'The image shows a red motorcycle parked on a street. Image A suffers from severe Gaussian noise, which covers the ' +
        'fine textures of the bodywork. Image B has slight blur, but the structure of the motorcycle remains clear. ' +
        'Therefore, Image B is better than Image A.',
      'B',
    ],
    [
      'Both images depict a mountain lake at sunset. Image A shows obvious JPEG compression with blocking artifacts in the ' +
        'sky, while Image B is affected by mild oversharpening around the edges. Thus, the quality of Image B is superior.',
      'B',
    ],
    [
      'Image A is heavily pixelated, making the faces unrecognizable. Image B is only slightly darkened. Compared to ' +
        'Image A, Image B exhibits higher overall quality.',
      'B',
    ],
    [
      'The content is a bowl of fruit. Image B has strong color quantization, producing false contours on the apples. ' +
        'Image A shows a little noise that barely affects the details. In conclusion, Image A is of higher quality than Image B.',
      'A',
    ],
    [
      'Image A is slightly blurry, whereas Image B contains severe noise that destroys the texture of the grass. ' +
        'Image B is therefore worse than Image A.',
      'A',
    ],
    [
      'Although Image B has more vivid colors, its overly high contrast clips the highlights of the clouds. ' +
        'Image A, with only mild desaturation, preserves the details better, so Image A is the better choice.',
      'A',
    ],
    [
      'Image A has better color rendition, but Image B is superior overall because its edges are sharp and clean.',
      'B',
    ],
    [
      'Image B is blurry and loses the text on the sign, so the image with better quality is Image A.',
      'A',
    ],
    [
      "Image A's noise is more distracting than Image B's mild blur. Image A's quality is inferior to Image B's.",
      'B',
    ],
    [
      'The building facade in Image B is overexposed, yet the noise in Image A is far more damaging. ' +
        'Overall, I would choose Image B over Image A.',
      'B',
    ],
    [
      'Image A shows obvious compression artifacts. Image B shows slight noise. Image B is better. ' +
        'The details of the bird are clear in Image B.',
      'B',
    ],
    ['Image B is not as good as Image A, because its blur removes the fine feather texture.', 'A'],
    ['Image A is outperformed by Image B in every respect.', 'B'],
    ['Image A does not have better quality than Image B, due to the heavy noise.', 'B'],
    ['Image B, which is heavily compressed, is worse than Image A.', 'A'],
    ['While Image A is slightly noisy, it is still better than Image B.', 'A'],
    ['Given the severe noise in Image A, Image B is the better image.', 'B'],
    ['The quality of Image A is better than that of Image B.', 'A'],
    [
      "Image A's colors are slightly washed out. However, Image A still has higher quality than Image B due to the " +
        'severe blur in Image B.',
      'A',
    ],
    ['Comparing the two, Image B is clearly superior.\n ', 'B'],
  ] as const)('reads the verdict of paragraph %#', (answer, expected) => {
    expect(parseComparison(answer)).toBe(expected);
  });

  it.each([
    'Both images show the same street. Image A and Image B have similar quality, with mild noise in each.',
    'Neither Image A nor Image B is clearly better; both are slightly blurred.',
    'Image A is better in color and Image B is better in sharpness.',
    'The image shows a cat sitting on a sofa with soft lighting.',
    'Image A has noise. Image B has blur.',
    '',
    'A bit of blur makes the image a little soft.',
  ])('returns null when the verdict is unclear: %j', (answer) => {
    expect(parseComparison(answer)).toBeNull();
  });
});

describe('comparisonConfidence', () => {
  it('normalises the two letter probabilities', () => {
    const c = comparisonConfidence(0.6, 0.2);
    expect(c.pA).toBe(0.6);
    expect(c.pB).toBe(0.2);
    expect(c.confidenceA).toBeCloseTo(0.75, 15);
    expect(c.verdict).toBe('A');
    expect(comparisonConfidence(0.01, 0.9).verdict).toBe('B');
    expect(comparisonConfidence(0, 0).confidenceA).toBe(0.5);
  });
});

describe('firstImageMention and parseReasoning', () => {
  // ▁Image 7084, ▁A 319, ▁B 350, ▁is 338, ▁better 2253, . 29889, \n 13, ▁ 29871, </s> 2.
  it('finds the first ▁Image followed by a letter, skipping a ▁Image without one', () => {
    expect(firstImageMention([7084, 350, 13, 29871, 2])).toEqual({ verdict: 'B', position: 0 });
    expect(firstImageMention([7084, 338, 7084, 319, 338, 2253, 1135, 7084, 350])).toEqual({ verdict: 'A', position: 2 });
    expect(firstImageMention([319, 7084])).toBeNull();
    expect(firstImageMention([])).toBeNull();
  });

  it('reports the preferred image and the first one named, which may differ', () => {
    const text = 'Image A shows heavy noise. Image B is slightly blurred. Therefore, Image B is better.';
    const ids = [7084, 319, 3697, 9416, 11462, 29889, 7084, 350, 338];
    expect(parseReasoning(text, ids)).toEqual({ verdict: 'B', firstMention: { verdict: 'A', position: 0 } });
  });
});
