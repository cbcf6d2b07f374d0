import { AppError } from '../errors.ts';
import { bicubicAlignCorners } from './bicubicAlignCorners.ts';

/**
 * DepictQA's `interpolate_embedding`: the CLIP position table [1 + g·g, width] (class position first, then a
 * g × g patch grid row by row) adapted to a gridH × gridW patch grid. The class row is kept; the grid part is
 * resized with bicubic, align_corners=True. Returns [1 + gridH·gridW, width]. Upstream skips the resize only
 * for 224 × 224 inputs, and for a 16 × 16 grid the resize is the identity, so an equal grid returns a copy.
 */
export function interpolatePositionEmbedding(
  table: Float32Array,
  width: number,
  gridH: number,
  gridW: number,
): Float32Array {
  if (!Number.isInteger(width) || width < 1 || table.length % width !== 0) {
    throw new AppError('INTERNAL', `interpolatePositionEmbedding: ${table.length} values are not rows of width ${width}`);
  }
  const patches = table.length / width - 1;
  const side = Math.round(Math.sqrt(patches));
  if (patches < 1 || side * side !== patches) {
    throw new AppError(
      'INTERNAL',
      `interpolatePositionEmbedding: ${patches} patch positions do not form a square grid (expected 1 + g·g rows)`,
    );
  }
  const grid = bicubicAlignCorners(table.subarray(width), side, side, gridH, gridW, width);
  const out = new Float32Array((1 + gridH * gridW) * width);
  out.set(table.subarray(0, width), 0);
  out.set(grid, width);
  return out;
}
