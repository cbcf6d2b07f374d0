import { describe, expect, it } from 'vitest';
import { compareBriefConfidence, singleBriefConfidence, withoutPadding } from './briefConfidence.ts';

// ▁noise 11462, ▁and 322, ▁blur 1999, \n 13, ▁ 29871, </s> 2, ▁Image 7084, ▁A 319, ▁B 350.
describe('single-image brief answers', () => {
  it('averages the tokens before "\\n ▁ </s>", leaving out the first "▁and"', () => {
    const result = singleBriefConfidence({ ids: [11462, 322, 1999, 13, 29871, 2], probabilities: [0.9, 0.1, 0.5, 0.99, 0.98, 0.97] });
    expect(result?.kind).toBe('single-brief');
    expect(result?.value).toBeCloseTo((0.9 + 0.5) / 2, 15);
    expect(result?.tokens.map((t) => t.position)).toEqual([0, 2]);
  });

  it('removes only the first "▁and" and keeps everything when the end marker is missing', () => {
    const result = singleBriefConfidence({ ids: [322, 11462, 322, 13, 29871], probabilities: [0.1, 0.2, 0.3, 0.4, 0.5] });
    expect(result?.value).toBeCloseTo((0.2 + 0.3 + 0.4 + 0.5) / 4, 15);
  });

  it('gives null when nothing is left, where upstream divides by zero', () => {
    expect(singleBriefConfidence({ ids: [13, 29871, 2], probabilities: [1, 1, 1] })).toBeNull();
    expect(singleBriefConfidence({ ids: [322], probabilities: [1] })).toBeNull();
  });
});

describe('brief comparisons', () => {
  it('takes the probability of the letter after the first ▁Image', () => {
    const result = compareBriefConfidence(
      { ids: [7084, 350, 13, 29871, 2], probabilities: [0.99, 0.7, 0.9, 0.9, 0.9] },
      (step) => (step === 1 ? { pA: 0.25, pB: 0.7 } : null),
    );
    expect(result).toMatchObject({ kind: 'compare-brief', value: 0.7, verdict: 'B', position: 0, pA: 0.25, pB: 0.7 });
    expect(result?.normalizedRatioA).toBeCloseTo(0.25 / 0.95, 15);
  });

  it('has no ratio without both letters, and is null without a ▁Image ▁A/▁B pair', () => {
    const result = compareBriefConfidence({ ids: [7084, 319], probabilities: [0.5, 0.6] });
    expect(result?.value).toBe(0.6);
    expect(result && 'normalizedRatioA' in result).toBe(false);
    expect(compareBriefConfidence({ ids: [7084, 13, 319], probabilities: [1, 1, 1] })).toBeNull();
  });
});

describe('padding', () => {
  it('cuts trailing id-0 padding and refuses a 0 inside the answer', () => {
    expect(withoutPadding({ ids: [5, 6, 0, 0], probabilities: [0.1, 0.2, 0.3, 0.4] })).toEqual({ ids: [5, 6], probabilities: [0.1, 0.2] });
    expect(withoutPadding({ ids: [5, 0, 6], probabilities: [0.1, 0.2, 0.3] })).toBeNull();
    expect(() => withoutPadding({ ids: [5], probabilities: [] })).toThrow(/1 token ids but 0 probabilities/);
  });
});
