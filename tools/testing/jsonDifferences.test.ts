import { describe, expect, it } from 'vitest';
import { jsonDifferences } from './jsonDifferences.ts';

describe('jsonDifferences', () => {
  it('accepts numbers within the tolerance and names every one beyond it by path', () => {
    const expected = { plcc: 0.9772379905937357, rows: [1, 0.5, 0.25] };
    expect(jsonDifferences({ plcc: 0.9772379905937358, rows: [1, 0.5, 0.25] }, expected, { relative: 1e-12 })).toEqual([]);
    expect(jsonDifferences({ plcc: 0.9772, rows: [1, 0.5, 0.26] }, expected, { relative: 1e-12 })).toEqual([
      '$.plcc: 0.9772 vs 0.9772379905937357',
      '$.rows[2]: 0.26 vs 0.25',
    ]);
    expect(jsonDifferences([0, 5.960464477539063e-8], [1.1920928955078125e-7, 0], { absolute: 2e-7 })).toEqual([]);
    expect(jsonDifferences([0], [1e-6], { absolute: 2e-7 })).toEqual(['$[0]: 0 vs 0.000001']);
  });

  it('compares everything but numbers exactly', () => {
    const tolerance = { absolute: 1 };
    expect(jsonDifferences({ a: 'x', b: [true, null] }, { a: 'x', b: [true, null] }, tolerance)).toEqual([]);
    expect(jsonDifferences({ a: 'x' }, { a: 'y' }, tolerance)).toEqual(['$.a: "x" vs "y"']);
    expect(jsonDifferences({ a: 1 }, { a: 1, b: 2 }, tolerance)).toEqual(['$: keys a vs a,b']);
    expect(jsonDifferences([1, 2], [1], tolerance)).toEqual(['$: 2 items vs 1']);
    expect(jsonDifferences({ a: 1 }, { a: '1' }, tolerance)).toEqual(['$.a: 1 vs "1"']);
    expect(jsonDifferences([null], [0], tolerance)).toEqual(['$[0]: null vs 0']);
  });
});
