import { describe, expect, it } from 'vitest';
import { comparesAB, slotsRead } from './tasks.ts';

describe('slotsRead', () => {
  it('reads B only for the pair tasks, in prompt order', () => {
    expect(slotsRead('description')).toEqual(['reference', 'a']);
    expect(slotsRead('reasoning')).toEqual(['reference', 'a', 'b']);
    expect([comparesAB('comparison'), comparesAB('reasoning'), comparesAB('description'), comparesAB('distortion')]).toEqual([true, true, false, false]);
  });

  it('keeps only the filled slots, as a run and a saved record take them', () => {
    expect(slotsRead('description', ['reference', 'a', 'b'])).toEqual(['reference', 'a']);
    expect(slotsRead('reasoning', ['b', 'a'])).toEqual(['a', 'b']);
    expect(slotsRead('distortion', [])).toEqual([]);
  });
});
