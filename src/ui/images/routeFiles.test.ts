import { describe, expect, it } from 'vitest';
import { routeFiles } from './routeFiles.ts';

const files = (...names: string[]) => names.map((name) => ({ name }));
const slots = (names: string[]) => routeFiles(files(...names)).placed.map(([slot, file]) => `${slot}:${file.name}`);

describe('routeFiles', () => {
  it('fills A then B in order', () => {
    expect(slots(['x.png', 'y.png'])).toEqual(['a:x.png', 'b:y.png']);
  });

  it('sends ref*, gt* and reference* files to the reference slot, whatever their position', () => {
    expect(slots(['out1.png', 'GT_0001.png', 'out2.png'])).toEqual(['a:out1.png', 'reference:GT_0001.png', 'b:out2.png']);
    expect(slots(['reference.jpg', 'a.jpg'])).toEqual(['reference:reference.jpg', 'a:a.jpg']);
    expect(slots(['ref-img.png'])).toEqual(['reference:ref-img.png']);
  });

  it('does not mistake words that merely start with those letters', () => {
    expect(slots(['refined.png', 'gtx.png'])).toEqual(['a:refined.png', 'b:gtx.png']);
  });

  it('returns what does not fit', () => {
    const { unplaced } = routeFiles(files('1.png', '2.png', '3.png', 'ref.png', 'gt.png'));
    expect(unplaced.map((file) => file.name)).toEqual(['3.png', 'gt.png']);
  });
});
