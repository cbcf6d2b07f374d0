/** Where a reduced map lies over its image, in image pixels; the part past the image's edge is clipped. */
export interface Placement {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * A difference map reduced by `factor`: block k covers image pixels k·f … k·f + f − 1, from the top-left
 * corner (the last block may run past the edge).
 */
export function diffPlacement(map: { width: number; height: number; factor: number }): Placement {
  return { left: 0, top: 0, width: map.width * map.factor, height: map.height * map.factor };
}

/**
 * An SSIM map computed after Wang's downsampling by f (src/core/metrics/downsample.ts): map pixel j averages
 * image pixels j·f − o … j·f − o + f − 1 with o = floor((f − 1) / 2), so the map starts o pixels before the image.
 */
export function ssimPlacement(map: { width: number; height: number }, factor: number): Placement {
  const before = Math.floor((factor - 1) / 2);
  return { left: 0 - before, top: 0 - before, width: map.width * factor, height: map.height * factor };
}
