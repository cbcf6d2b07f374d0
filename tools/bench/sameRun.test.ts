import { describe, expect, it } from 'vitest';
import { medianOfPresent, sameRunOrder } from './sameRun.ts';

describe('same-run comparisons', () => {
  it('alternates the baseline with the current runs, each as often', () => {
    expect(sameRunOrder(3, 'parts', 'whole')).toEqual(['whole', 'parts', 'parts', 'whole', 'whole', 'parts']);
    expect(sameRunOrder(2, 'parts')).toEqual(['parts', 'parts']);
  });

  it('takes the median of the values present', () => {
    expect(medianOfPresent([3, null, 1, undefined, 2])).toBe(2);
    expect(medianOfPresent([4, 1])).toBe(2.5);
    expect(medianOfPresent([null])).toBeNull();
  });
});
