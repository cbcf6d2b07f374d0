import { describe, expect, it } from 'vitest';
import { differenceAtTop, gradientCss, HEAT_STOPS, lookupTable, paintDifference, paintSsim, SSIM_STOPS } from './colorScale.ts';
import { diffPlacement, ssimPlacement } from './overlayPlacement.ts';

describe('lookupTable', () => {
  it('starts and ends at the first and last stop, linear between', () => {
    const table = lookupTable([
      [0, 0, 0],
      [255, 0, 100],
    ]);
    expect([...table.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...table.subarray(255 * 3)]).toEqual([255, 0, 100]);
    expect([...table.subarray(51 * 3, 52 * 3)]).toEqual([51, 0, 20]);
  });
});

describe('paintDifference', () => {
  const heat = lookupTable(HEAT_STOPS);

  it('paints zero difference as the scale’s cold end and saturates at 255 / amplification', () => {
    const pixels = paintDifference(Uint8Array.from([0, 64, 255]), 4, heat);
    expect([...pixels.subarray(0, 4)]).toEqual([0, 0, 4, 255]);
    expect([...pixels.subarray(4, 8)]).toEqual([252, 255, 164, 255]); // 64·4 ≥ 255: hottest
    expect([...pixels.subarray(8, 12)]).toEqual([252, 255, 164, 255]);
    expect(differenceAtTop(4)).toBeCloseTo(63.75, 10);
  });

  it('rejects a non-positive amplification', () => {
    expect(() => paintDifference(new Uint8Array(1), 0, heat)).toThrow(RangeError);
  });
});

describe('paintSsim', () => {
  it('maps 0 (and below) to red and 1 to blue', () => {
    const pixels = paintSsim(Float32Array.from([-0.5, 0, 1]), lookupTable(SSIM_STOPS));
    expect([...pixels.subarray(0, 4)]).toEqual([180, 4, 38, 255]);
    expect([...pixels.subarray(4, 8)]).toEqual([180, 4, 38, 255]);
    expect([...pixels.subarray(8, 12)]).toEqual([59, 76, 192, 255]);
  });
});

describe('gradientCss', () => {
  it('lists the stops in order', () => {
    expect(gradientCss([[1, 2, 3], [4, 5, 6]])).toBe('linear-gradient(to right, rgb(1 2 3), rgb(4 5 6))');
  });
});

describe('overlay placement', () => {
  it('stretches a reduced difference map over whole blocks from the corner', () => {
    expect(diffPlacement({ width: 3, height: 2, factor: 2 })).toEqual({ left: 0, top: 0, width: 6, height: 4 });
  });

  it('shifts a downsampled SSIM map by the box filter’s leading taps', () => {
    // 1000 px at f = 4: 250 map pixels; pixel 0 averages image pixels −1…2.
    expect(ssimPlacement({ width: 250, height: 250 }, 4)).toEqual({ left: -1, top: -1, width: 1000, height: 1000 });
    expect(ssimPlacement({ width: 200, height: 180 }, 1)).toEqual({ left: 0, top: 0, width: 200, height: 180 });
  });
});
