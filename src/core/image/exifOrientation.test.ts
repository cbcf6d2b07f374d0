import { describe, expect, it } from 'vitest';
import { orientationFromFrame, storedFromDisplayed, swapsSides, type ExifOrientation } from './exifOrientation.ts';

type Grid = number[][]; // [row][column]

/** How a viewer shows stored pixels, written from the EXIF table (where stored row 0 and column 0 end up). */
function display(stored: Grid, orientation: ExifOrientation): Grid {
  const h = stored.length;
  const w = stored[0]!.length;
  const rows = orientation >= 5 ? w : h;
  const columns = orientation >= 5 ? h : w;
  const at = (r: number, c: number): number => {
    switch (orientation) {
      case 1: return stored[r]![c]!; // row 0 top, column 0 left
      case 2: return stored[r]![w - 1 - c]!; // row 0 top, column 0 right
      case 3: return stored[h - 1 - r]![w - 1 - c]!; // row 0 bottom, column 0 right
      case 4: return stored[h - 1 - r]![c]!; // row 0 bottom, column 0 left
      case 5: return stored[c]![r]!; // row 0 left, column 0 top
      case 6: return stored[h - 1 - c]![r]!; // row 0 right, column 0 top
      case 7: return stored[h - 1 - c]![w - 1 - r]!; // row 0 right, column 0 bottom
      case 8: return stored[c]![w - 1 - r]!; // row 0 left, column 0 bottom
    }
  };
  return Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => at(r, c)));
}

describe('storedFromDisplayed', () => {
  const stored: Grid = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const orientations: ExifOrientation[] = [1, 2, 3, 4, 5, 6, 7, 8];

  it.each(orientations)('orientation %i: drawing the displayed picture through it puts every stored pixel back', (orientation) => {
    const shown = display(stored, orientation);
    expect(shown.length === stored[0]!.length).toBe(swapsSides(orientation));
    const [a, b, c, d, e, f] = storedFromDisplayed(orientation, 3, 2);
    const canvas: Grid = [[0, 0, 0], [0, 0, 0]];
    shown.forEach((row, v) =>
      row.forEach((value, u) => {
        // The centre of displayed pixel (u, v) lands in the centre of one canvas pixel.
        const x = a * (u + 0.5) + c * (v + 0.5) + e;
        const y = b * (u + 0.5) + d * (v + 0.5) + f;
        expect(x % 1).toBe(0.5);
        canvas[Math.floor(y)]![Math.floor(x)] = value;
      }),
    );
    expect(canvas).toEqual(stored);
  });
});

/** A frame's transform as Chromium applies it: turn clockwise by `rotation`, then flip left–right. */
function frameTransform(stored: Grid, rotation: number, flip: boolean): Grid {
  let grid = stored.map((row) => [...row]);
  for (let turn = 0; turn < rotation / 90; turn++) {
    // One quarter turn clockwise: the last row becomes the first column.
    grid = grid[0]!.map((_, c) => grid.map((row) => row[c]!).reverse());
  }
  return flip ? grid.map((row) => row.reverse()) : grid;
}

describe('orientationFromFrame', () => {
  const stored: Grid = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  it.each([0, 90, 180, 270].flatMap((rotation) => [false, true].map((flip) => [rotation, flip] as const)))(
    'rotation %i, flip %s: names the EXIF orientation that shows the same picture',
    (rotation, flip) => {
      const orientation = orientationFromFrame(rotation, flip)!;
      expect(display(stored, orientation)).toEqual(frameTransform(stored, rotation, flip));
    },
  );
  it('has no orientation for a rotation that is not a quarter turn', () => {
    expect(orientationFromFrame(45, false)).toBeUndefined();
  });
});
