import { AppError } from '../errors.ts';
import { combineOrders } from '../ranking/records.ts';
import type { RgbImage } from '../vision/rgbImage.ts';
import type { ResizeRule } from '../vision/resizeRule.ts';
import { checkGrid, checkMapImages, defaultGrid, finestGrid, tileRects, type Grid, type TileRect } from './grid.ts';
import { cropRgb, DEFAULT_SKIP_TOLERANCE, referenceMaps, skipText, tileSkip, type MapImages } from './skip.ts';

/**
 * A local quality map: the model asked about aligned crops. With A and B, the brief comparison of each tile in both
 * orders gives p(A better) there, read as Rank reads a pair; with A alone and a reference, the distortion
 * identification of each tile gives its distortion and confidence. Tiles that the SSIM maps show to be the same
 * are skipped without a model call.
 */

/** The model's side of a map: one order of the brief comparison, and the distortion task, on crops. */
export interface TileJudge {
  /** p(▁A) and p(▁B) after `▁Image`, with `first` shown as Image A. */
  compare(crops: { reference: RgbImage | null; first: RgbImage; second: RgbImage }, tile: TileRect): Promise<{ pA: number; pB: number }>;
  /** The distortion named for the crop (null when the answer names none it knows), and its confidence. */
  identify(crops: { reference: RgbImage; image: RgbImage }, tile: TileRect): Promise<{ distortion: string | null; confidence: number | null }>;
  /** Model runs so far, for the record's stats. */
  counters(): Promise<{ visionRuns: number; prefillTokens: number }>;
}

export interface LocalizeOptions {
  /** Default: tiles near the model's input size. */
  grid?: Grid;
  /** Pixels each tile reaches into its neighbours; default 0. */
  overlap?: number;
  /** A tile is skipped when its mean SSIM to the reference is at least 1 − tolerance for every image judged. */
  tolerance?: number;
  /** Stops between tiles: the record then holds the tiles done, with `cancelled: true`. */
  signal?: { readonly aborted: boolean };
  /** After each tile, asked, skipped or taken from `prior`. */
  onTile?: (tile: LocalizeTile, done: number, total: number) => void;
  /**
   * Tiles of the same map made before (a stopped or interrupted one): each whose rectangle this grid has again is
   * taken as it is, without a model call; the map asks only the others.
   */
  prior?: readonly LocalizeTile[];
}

export interface LocalizeTile extends TileRect {
  skipped: boolean;
  /** Why it was skipped ("no visible difference: …"). */
  reason?: string;
  /** With A and B: p(A better) from both orders. */
  pA?: number;
  /** With A alone: the distortion named, or null when the answer named none. */
  distortion?: string | null;
  confidence?: number | null;
}

export interface LocalizeRecord {
  mode: 'compare' | 'identify';
  grid: Grid;
  overlap: number;
  tolerance: number;
  width: number;
  height: number;
  tiles: LocalizeTile[];
  /**
   * Tiles asked and skipped in the whole map; the model's work (vision runs, prefill tokens) of this run only, and,
   * when the map went on from earlier tiles, how many of its tiles were taken from them.
   */
  stats: { asked: number; skipped: number; visionRuns: number; prefillTokens: number; reused?: number };
  /** Stopped before every tile was done. */
  cancelled: boolean;
}

interface Size {
  width: number;
  height: number;
}

/**
 * What a map of images of these sizes can be: A with B or the reference, all of one size and at least one tile's
 * side; the grid asked for (a side left null or out: tiles near the model's input size), refused when finer than the
 * model reads. The page checks it before asking the engine, which checks it again.
 */
export function mapPlan(sizes: { reference: Size | null; a: Size; b: Size | null }, rule: ResizeRule, grid: Partial<{ rows: number | null; cols: number | null }> = {}): Size & { grid: Grid; finest: Grid } {
  if (sizes.b === null && sizes.reference === null) {
    throw new AppError('IMAGE_MISSING', 'A quality map of one image needs its reference: the distortion of each tile is judged against it.', {
      hint: 'Add the reference, or Image B to compare with.',
    });
  }
  const labelled = [
    ...(sizes.reference === null ? [] : [{ label: 'the reference', ...size(sizes.reference) }]),
    { label: 'Image A', ...size(sizes.a) },
    ...(sizes.b === null ? [] : [{ label: 'Image B', ...size(sizes.b) }]),
  ];
  const { width, height } = checkMapImages(labelled, rule);
  const auto = defaultGrid(width, height, rule);
  const asked = { rows: grid.rows ?? auto.rows, cols: grid.cols ?? auto.cols };
  return { width, height, grid: checkGrid(asked, width, height, rule), finest: finestGrid(width, height, rule) };
}

export async function localize(images: MapImages, rule: ResizeRule, judge: TileJudge, options: LocalizeOptions = {}): Promise<LocalizeRecord> {
  // 1. What the map can be made of, before any model call.
  const { width, height, grid } = mapPlan({ reference: images.reference, a: images.a, b: images.b }, rule, options.grid);
  const overlap = options.overlap ?? 0;
  if (!(Number.isInteger(overlap) && overlap >= 0)) throw new AppError('BAD_ARGUMENTS', `The overlap must be a whole number of pixels, not ${overlap}.`, { hint: 'Use 0 (default) or, e.g., 16.' });
  const tolerance = options.tolerance ?? DEFAULT_SKIP_TOLERANCE;
  if (!(tolerance >= 0 && tolerance < 1)) throw new AppError('BAD_ARGUMENTS', `The skip tolerance must be in [0, 1), not ${tolerance}.`, { hint: `Use ${DEFAULT_SKIP_TOLERANCE} (default); 0 skips only identical tiles.` });

  // 2. Each tile: skipped by the maps, or asked.
  const maps = referenceMaps(images);
  const rects = tileRects(grid, width, height, overlap);
  const before = await judge.counters();
  const tiles: LocalizeTile[] = [];
  const earlier = new Map((options.prior ?? []).map((tile) => [rectKey(tile), tile]));
  let reused = 0;
  for (const rect of rects) {
    if (options.signal?.aborted === true) break;
    const done = earlier.get(rectKey(rect));
    if (done !== undefined) {
      tiles.push(done);
      reused++;
      options.onTile?.(done, tiles.length, rects.length);
      continue;
    }
    const skip = tileSkip(rect, images, maps, tolerance);
    const tile: LocalizeTile = skip !== null ? { ...rect, skipped: true, reason: skipText(skip, tolerance) } : { ...rect, skipped: false, ...(await askTile(rect, images, judge)) };
    tiles.push(tile);
    options.onTile?.(tile, tiles.length, rects.length);
  }
  const after = await judge.counters();
  const asked = tiles.filter((tile) => !tile.skipped).length;
  return {
    mode: images.b === null ? 'identify' : 'compare',
    grid,
    overlap,
    tolerance,
    width,
    height,
    tiles,
    stats: {
      asked,
      skipped: tiles.length - asked,
      visionRuns: after.visionRuns - before.visionRuns,
      prefillTokens: after.prefillTokens - before.prefillTokens,
      ...(options.prior === undefined ? {} : { reused }),
    },
    cancelled: tiles.length < rects.length,
  };
}

async function askTile(rect: TileRect, images: MapImages, judge: TileJudge): Promise<Pick<LocalizeTile, 'pA' | 'distortion' | 'confidence'>> {
  const reference = images.reference === null ? null : cropRgb(images.reference, rect);
  const a = cropRgb(images.a, rect);
  if (images.b === null) return judge.identify({ reference: reference!, image: a }, rect);
  const b = cropRgb(images.b, rect);
  // Both orders, A first then B first: the letter's lean cancels on the log-odds scale, as in a ranking.
  const forward = await judge.compare({ reference, first: a, second: b }, rect);
  const backward = await judge.compare({ reference, first: b, second: a }, rect);
  const [pair] = combineOrders([
    { first: 0, second: 1, pFirst: forward.pA, pSecond: forward.pB },
    { first: 1, second: 0, pFirst: backward.pA, pSecond: backward.pB },
  ]);
  return { pA: pair!.pIBeatsJ };
}

/** A tile's place on the grid and its rectangle: an earlier tile is reused only where both are the same. */
const rectKey = (rect: TileRect) => `${rect.row},${rect.col}:${rect.x},${rect.y},${rect.w}x${rect.h}`;

const size = (image: Size) => ({ width: image.width, height: image.height });
