import { mirror } from './downsample.ts';
import type { Plane } from './image.ts';

/** Gaussian window of Wang et al. 2004: σ = 1.5, radius 5 (scipy's int(3.5·σ + 0.5)), 11 taps. */
export const SSIM_RADIUS = 5;
const WINDOW = 2 * SSIM_RADIUS + 1;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Normalised 1-D Gaussian taps [g0 (centre), g1 … g5], as scipy's _gaussian_kernel1d. */
function gaussianTaps(): Float64Array {
  const full = new Float64Array(WINDOW);
  let sum = 0;
  for (let k = -SSIM_RADIUS; k <= SSIM_RADIUS; k++) {
    const v = Math.exp((-0.5 / (SIGMA * SIGMA)) * k * k);
    full[k + SSIM_RADIUS] = v;
    sum += v;
  }
  return full.slice(SSIM_RADIUS).map((v) => v / sum);
}

export interface SsimStats {
  /** Mean SSIM over the valid region (the map cropped by the window radius on every side). */
  ssim: number;
  /** Mean contrast-structure term over the same region (MS-SSIM's cs); NaN unless asked for. */
  cs: number;
}

export interface SsimKernelOptions {
  /** Filled with the full-size SSIM map [height, width]; borders use scipy's 'reflect' like skimage. */
  map?: Float32Array;
  /** Also average the contrast-structure term. */
  withCs?: boolean;
}

/**
 * SSIM of two planes on a 0..255 scale with population covariance (Wang et al. 2004; skimage's
 * `gaussian_weights=True, use_sample_covariance=False`). Both planes must be at least 11×11.
 *
 * Streams the image: each source row is filtered horizontally once into a ring of 11 rows, then each
 * output row sums its 11 ring rows vertically and evaluates SSIM in the same loop. SSIM needs σx² + σy²
 * only as a sum, so four signals are filtered (x, y, x² + y², xy) instead of skimage's five; the sums
 * differ from skimage's by rounding only. Memory is 4 × 11 rows whatever the image height, nothing is
 * allocated per pixel, and without a map only the valid region is computed (all that the means need).
 * The per-row work lives in small functions so that V8 optimises them after a few rows.
 */
export function ssimStats(a: Plane, b: Plane, options: SsimKernelOptions = {}): SsimStats {
  const { width: w, height: h } = a;
  const map = options.map;
  const withCs = options.withCs === true;
  const R = SSIM_RADIUS;
  const full = map !== undefined;
  // Columns and output rows computed; the valid region is [R, w − R) × [R, h − R).
  const col0 = full ? 0 : R;
  const span = full ? w : w - 2 * R;
  const row0 = full ? 0 : R;
  const row1 = full ? h : h - R;
  const validCol0 = R - col0;
  const validCol1 = validCol0 + (w - 2 * R);

  // Ring of horizontally filtered rows, [WINDOW, span] per signal; source row r lives in slot r % WINDOW.
  const ring: Signals = {
    x: new Float64Array(WINDOW * span),
    y: new Float64Array(WINDOW * span),
    sq: new Float64Array(WINDOW * span),
    xy: new Float64Array(WINDOW * span),
  };
  // One source row with R mirrored samples on each side: [w + 2R] per signal.
  const row: Signals = {
    x: new Float64Array(w + 2 * R),
    y: new Float64Array(w + 2 * R),
    sq: new Float64Array(w + 2 * R),
    xy: new Float64Array(w + 2 * R),
  };
  const rowSsim = new Float64Array(span);
  const rowCs = withCs ? new Float64Array(span) : undefined;
  const offsets = new Int32Array(WINDOW);

  let ssimSum = 0;
  let csSum = 0;
  let nextSourceRow = 0;
  for (let oy = row0; oy < row1; oy++) {
    // 1. Filter horizontally every source row this output row needs and the ring lacks.
    const lastNeeded = Math.min(h - 1, oy + R);
    for (; nextSourceRow <= lastNeeded; nextSourceRow++) {
      loadRow(a.data, b.data, nextSourceRow, w, row);
      const slot = (nextSourceRow % WINDOW) * span;
      filterRow(row.x, ring.x, slot, col0, span);
      filterRow(row.y, ring.y, slot, col0, span);
      filterRow(row.sq, ring.sq, slot, col0, span);
      filterRow(row.xy, ring.xy, slot, col0, span);
    }
    // 2. Ring offsets of rows oy − 5 … oy + 5, mirrored at the top and bottom edges.
    for (let k = -R; k <= R; k++) offsets[k + R] = (mirror(oy + k, h) % WINDOW) * span;
    // 3. Vertical filter and SSIM for the whole row.
    ssimRow(ring, offsets, span, rowSsim, rowCs);
    // 4. Means over the valid region; the map keeps every pixel.
    if (oy >= R && oy < h - R) {
      for (let i = validCol0; i < validCol1; i++) ssimSum += rowSsim[i]!;
      if (rowCs !== undefined) for (let i = validCol0; i < validCol1; i++) csSum += rowCs[i]!;
    }
    if (map !== undefined) map.set(rowSsim, oy * w);
  }
  const count = (w - 2 * R) * (h - 2 * R);
  return { ssim: ssimSum / count, cs: withCs ? csSum / count : Number.NaN };
}

/** The four filtered signals of SSIM. */
interface Signals {
  x: Float64Array;
  y: Float64Array;
  /** x² + y² */
  sq: Float64Array;
  xy: Float64Array;
}

const TAPS = gaussianTaps();
const G0 = TAPS[0]!;
const G1 = TAPS[1]!;
const G2 = TAPS[2]!;
const G3 = TAPS[3]!;
const G4 = TAPS[4]!;
const G5 = TAPS[5]!;

/** Source row `sourceRow` of both planes into `row`, with R mirrored samples on each side. */
function loadRow(x: Float64Array, y: Float64Array, sourceRow: number, w: number, row: Signals): void {
  const R = SSIM_RADIUS;
  const base = sourceRow * w;
  const { x: px, y: py, sq, xy } = row;
  for (let i = -R; i < w + R; i++) {
    const src = base + (i < 0 || i >= w ? mirror(i, w) : i);
    const vx = x[src]!;
    const vy = y[src]!;
    px[i + R] = vx;
    py[i + R] = vy;
    sq[i + R] = vx * vx + vy * vy;
    xy[i + R] = vx * vy;
  }
}

/** Horizontal Gaussian of one padded row: out[start + i] for output columns col0 … col0 + span − 1. */
function filterRow(p: Float64Array, out: Float64Array, start: number, col0: number, span: number): void {
  for (let i = 0; i < span; i++) {
    const c = col0 + i + SSIM_RADIUS;
    out[start + i] =
      G0 * p[c]! + G1 * (p[c - 1]! + p[c + 1]!) + G2 * (p[c - 2]! + p[c + 2]!) + G3 * (p[c - 3]! + p[c + 3]!) +
      G4 * (p[c - 4]! + p[c + 4]!) + G5 * (p[c - 5]! + p[c + 5]!);
  }
}

/** Vertical Gaussian over the 11 ring rows at `offsets` ([11], top to bottom), then SSIM per pixel. */
function ssimRow(
  ring: Signals,
  offsets: Int32Array,
  span: number,
  rowSsim: Float64Array,
  rowCs: Float64Array | undefined,
): void {
  const { x: rx, y: ry, sq: rsq, xy: rxy } = ring;
  const o0 = offsets[0]!;
  const o1 = offsets[1]!;
  const o2 = offsets[2]!;
  const o3 = offsets[3]!;
  const o4 = offsets[4]!;
  const o5 = offsets[5]!;
  const o6 = offsets[6]!;
  const o7 = offsets[7]!;
  const o8 = offsets[8]!;
  const o9 = offsets[9]!;
  const o10 = offsets[10]!;
  for (let i = 0; i < span; i++) {
    const mx =
      G0 * rx[o5 + i]! + G1 * (rx[o4 + i]! + rx[o6 + i]!) + G2 * (rx[o3 + i]! + rx[o7 + i]!) +
      G3 * (rx[o2 + i]! + rx[o8 + i]!) + G4 * (rx[o1 + i]! + rx[o9 + i]!) + G5 * (rx[o0 + i]! + rx[o10 + i]!);
    const my =
      G0 * ry[o5 + i]! + G1 * (ry[o4 + i]! + ry[o6 + i]!) + G2 * (ry[o3 + i]! + ry[o7 + i]!) +
      G3 * (ry[o2 + i]! + ry[o8 + i]!) + G4 * (ry[o1 + i]! + ry[o9 + i]!) + G5 * (ry[o0 + i]! + ry[o10 + i]!);
    const msq =
      G0 * rsq[o5 + i]! + G1 * (rsq[o4 + i]! + rsq[o6 + i]!) + G2 * (rsq[o3 + i]! + rsq[o7 + i]!) +
      G3 * (rsq[o2 + i]! + rsq[o8 + i]!) + G4 * (rsq[o1 + i]! + rsq[o9 + i]!) + G5 * (rsq[o0 + i]! + rsq[o10 + i]!);
    const mxy =
      G0 * rxy[o5 + i]! + G1 * (rxy[o4 + i]! + rxy[o6 + i]!) + G2 * (rxy[o3 + i]! + rxy[o7 + i]!) +
      G3 * (rxy[o2 + i]! + rxy[o8 + i]!) + G4 * (rxy[o1 + i]! + rxy[o9 + i]!) + G5 * (rxy[o0 + i]! + rxy[o10 + i]!);
    const mxmy = mx * my;
    const mx2 = mx * mx;
    const my2 = my * my;
    const a2 = 2 * (mxy - mxmy) + C2;
    const b2 = msq - mx2 - my2 + C2;
    // C1, C2 > 0 keep both denominators positive: a flat image gives 1, never NaN.
    rowSsim[i] = ((2 * mxmy + C1) * a2) / ((mx2 + my2 + C1) * b2);
    if (rowCs !== undefined) rowCs[i] = a2 / b2;
  }
}
