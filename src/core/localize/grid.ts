import { AppError } from '../errors.ts';
import type { ResizeRule } from '../vision/resizeRule.ts';

/**
 * The tiles of a local quality map: aligned crops of the reference, A and B on a rows × cols grid. A tile is near
 * the model's input size by default (the short side it resizes to), and never smaller than the side the model pads
 * every image to (`min_size`): a smaller crop would be mostly padding.
 */

export interface Grid {
  rows: number;
  cols: number;
}

export interface TileRect {
  row: number;
  col: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The most tiles a side may have, whatever the image's size: 16 × 16 tiles is 512 comparisons already. */
export const MAX_GRID_SIDE = 16;

/** "3x4" (rows × cols; "3×4" and "3X4" too) as a grid; BAD_ARGUMENTS naming the form otherwise. */
export function parseGrid(text: string): Grid {
  const match = /^\s*(\d+)\s*[x×X]\s*(\d+)\s*$/.exec(text);
  const rows = Number(match?.[1]);
  const cols = Number(match?.[2]);
  if (match === null || rows < 1 || cols < 1 || rows > MAX_GRID_SIDE || cols > MAX_GRID_SIDE) {
    throw new AppError('BAD_ARGUMENTS', `--grid must be ROWSxCOLS with 1 to ${MAX_GRID_SIDE} each, e.g. 2x3, not "${text}".`, {
      hint: 'Leave it out to get tiles near the model’s input size.',
    });
  }
  return { rows, cols };
}

/** The side below which a tile is refused: the model's padded minimum. */
export function minTileSide(rule: ResizeRule): number {
  return rule.minPaddedSide;
}

/** The finest grid an image allows: tiles of at least `minTileSide` a side. */
export function finestGrid(width: number, height: number, rule: ResizeRule): Grid {
  const side = minTileSide(rule);
  return { rows: Math.min(MAX_GRID_SIDE, Math.max(1, Math.floor(height / side))), cols: Math.min(MAX_GRID_SIDE, Math.max(1, Math.floor(width / side))) };
}

/** Tiles near the model's input size (its short-side limit), within the finest grid. */
export function defaultGrid(width: number, height: number, rule: ResizeRule): Grid {
  const finest = finestGrid(width, height, rule);
  const side = rule.resizeShortSide;
  return { rows: Math.min(finest.rows, Math.max(1, Math.round(height / side))), cols: Math.min(finest.cols, Math.max(1, Math.round(width / side))) };
}

/**
 * The images a map can be made of: the same size (the crops must be aligned), and at least one tile's side. Labels
 * name them in messages ("the reference", "Image A").
 */
export function checkMapImages(images: ReadonlyArray<{ label: string; width: number; height: number }>, rule: ResizeRule): { width: number; height: number } {
  const [first, ...rest] = images;
  if (first === undefined) throw new AppError('BAD_ARGUMENTS', 'A quality map needs images.', { hint: 'Give Image A, and Image B or a reference.' });
  for (const image of rest) {
    if (image.width !== first.width || image.height !== first.height) {
      throw new AppError(
        'IMAGE_SIZE_MISMATCH',
        `${image.label} is ${image.width}×${image.height} but ${first.label} is ${first.width}×${first.height}; a quality map compares aligned crops, so the images must have the same size.`,
        { hint: 'Give images of one scene at one size (resize or crop them to the reference first).' },
      );
    }
  }
  const side = minTileSide(rule);
  if (first.width < side || first.height < side) {
    throw new AppError('IMAGE_TOO_SMALL', `The images are ${first.width}×${first.height}, smaller than one tile: the model reads at least ${side}×${side} pixels.`, {
      hint: `Use images of at least ${side}×${side} pixels, or ask about the whole image instead (comparison or distortion).`,
    });
  }
  return { width: first.width, height: first.height };
}

/** A grid the image allows, or IMAGE_TOO_SMALL with the finest grid that it does allow. */
export function checkGrid(grid: Grid, width: number, height: number, rule: ResizeRule): Grid {
  const finest = finestGrid(width, height, rule);
  if (grid.rows <= finest.rows && grid.cols <= finest.cols) return grid;
  const tile = `${Math.floor(width / grid.cols)}×${Math.floor(height / grid.rows)}`;
  const side = minTileSide(rule);
  throw new AppError(
    'BAD_ARGUMENTS',
    `A ${grid.rows}x${grid.cols} grid makes tiles of about ${tile} pixels on this ${width}×${height} image; the model reads at least ${side}×${side}.`,
    { hint: `Use --grid ${Math.min(grid.rows, finest.rows)}x${Math.min(grid.cols, finest.cols)} or coarser (the finest this image allows is ${finest.rows}x${finest.cols}).` },
  );
}

/**
 * The tiles in row-major order. Cell edges fall on round(k · size / n), so the cells cover the image exactly;
 * `overlap` pixels are added on each inner side (clamped to the image), so neighbouring crops share a margin.
 */
export function tileRects(grid: Grid, width: number, height: number, overlap = 0): TileRect[] {
  const edge = (k: number, size: number, n: number) => Math.round((k * size) / n);
  const tiles: TileRect[] = [];
  for (let row = 0; row < grid.rows; row++) {
    for (let col = 0; col < grid.cols; col++) {
      const x0 = Math.max(0, edge(col, width, grid.cols) - overlap);
      const x1 = Math.min(width, edge(col + 1, width, grid.cols) + overlap);
      const y0 = Math.max(0, edge(row, height, grid.rows) - overlap);
      const y1 = Math.min(height, edge(row + 1, height, grid.rows) + overlap);
      tiles.push({ row, col, x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
    }
  }
  return tiles;
}
