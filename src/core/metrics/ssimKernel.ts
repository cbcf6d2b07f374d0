import { mirror } from './downsample.ts';
import type { Plane } from './image.ts';

/** Gaussian window of Wang et al. 2004: σ = 1.5, radius 5 (scipy's int(3.5·σ + 0.5)), 11 taps. */
export const SSIM_RADIUS = 5;
const WINDOW = 2 * SSIM_RADIUS + 1;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** Normalised 1-D Gaussian taps [g0 (centre), g1 … g5], as scipy's _gaussian_kernel1d. */
export function gaussianTaps(): Float64Array {
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
 * Streams the image: each source row is filtered horizontally once into a ring of 11 rows for four
 * signals, then each output row sums its 11 ring rows vertically and evaluates SSIM in the same loop.
 * SSIM needs σx² + σy² only as a sum, so x² + y² is filtered as one signal (x, y, x² + y², xy: four
 * filters instead of skimage's five; the sums differ from skimage's by rounding only). Memory is 5 × 11 rows, whatever the image height; nothing is allocated per pixel.
 * Without a map only the valid region is computed, which is all that the means need.
 */
export function ssimStats(a: Plane, b: Plane, options: SsimKernelOptions = {}): SsimStats {
  const { width: w, height: h } = a;
  const x = a.data;
  const y = b.data;
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

  const [g0, g1, g2, g3, g4, g5] = gaussianTaps() as unknown as [number, number, number, number, number, number];

  // Ring of horizontally filtered rows: [WINDOW, span] per signal; row r lives in slot r % WINDOW.
  const ringX = new Float64Array(WINDOW * span);
  const ringY = new Float64Array(WINDOW * span);
  const ringSq = new Float64Array(WINDOW * span);
  const ringXY = new Float64Array(WINDOW * span);
  // One source row with R mirrored samples on each side: [w + 2R].
  const px = new Float64Array(w + 2 * R);
  const py = new Float64Array(w + 2 * R);
  const psq = new Float64Array(w + 2 * R);
  const pxy = new Float64Array(w + 2 * R);
  const rowSsim = new Float64Array(span);
  const rowCs = new Float64Array(span);
  const offsets = new Int32Array(WINDOW);

  const filterRow = (sourceRow: number): void => {
    const base = sourceRow * w;
    for (let i = -R; i < w + R; i++) {
      const src = base + (i < 0 || i >= w ? mirror(i, w) : i);
      const vx = x[src]!;
      const vy = y[src]!;
      px[i + R] = vx;
      py[i + R] = vy;
      psq[i + R] = vx * vx + vy * vy;
      pxy[i + R] = vx * vy;
    }
    const slot = (sourceRow % WINDOW) * span;
    for (let i = 0; i < span; i++) {
      const c = col0 + i + R;
      ringX[slot + i] =
        g0 * px[c]! + g1 * (px[c - 1]! + px[c + 1]!) + g2 * (px[c - 2]! + px[c + 2]!) +
        g3 * (px[c - 3]! + px[c + 3]!) + g4 * (px[c - 4]! + px[c + 4]!) + g5 * (px[c - 5]! + px[c + 5]!);
      ringY[slot + i] =
        g0 * py[c]! + g1 * (py[c - 1]! + py[c + 1]!) + g2 * (py[c - 2]! + py[c + 2]!) +
        g3 * (py[c - 3]! + py[c + 3]!) + g4 * (py[c - 4]! + py[c + 4]!) + g5 * (py[c - 5]! + py[c + 5]!);
      ringSq[slot + i] =
        g0 * psq[c]! + g1 * (psq[c - 1]! + psq[c + 1]!) + g2 * (psq[c - 2]! + psq[c + 2]!) +
        g3 * (psq[c - 3]! + psq[c + 3]!) + g4 * (psq[c - 4]! + psq[c + 4]!) + g5 * (psq[c - 5]! + psq[c + 5]!);
      ringXY[slot + i] =
        g0 * pxy[c]! + g1 * (pxy[c - 1]! + pxy[c + 1]!) + g2 * (pxy[c - 2]! + pxy[c + 2]!) +
        g3 * (pxy[c - 3]! + pxy[c + 3]!) + g4 * (pxy[c - 4]! + pxy[c + 4]!) + g5 * (pxy[c - 5]! + pxy[c + 5]!);
    }
  };

  let ssimSum = 0;
  let csSum = 0;
  let nextSourceRow = 0;
  for (let oy = row0; oy < row1; oy++) {
    // 1. Filter horizontally every source row this output row needs and the ring lacks.
    const lastNeeded = Math.min(h - 1, oy + R);
    while (nextSourceRow <= lastNeeded) filterRow(nextSourceRow++);
    // 2. Ring offsets of rows oy − 5 … oy + 5, mirrored at the top and bottom edges.
    for (let k = -R; k <= R; k++) offsets[k + R] = (mirror(oy + k, h) % WINDOW) * span;
    const [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10] = offsets as unknown as number[] as [
      number, number, number, number, number, number, number, number, number, number, number,
    ];
    // 3. Vertical filter and SSIM in one pass over the row.
    for (let i = 0; i < span; i++) {
      const mx =
        g0 * ringX[o5 + i]! + g1 * (ringX[o4 + i]! + ringX[o6 + i]!) + g2 * (ringX[o3 + i]! + ringX[o7 + i]!) +
        g3 * (ringX[o2 + i]! + ringX[o8 + i]!) + g4 * (ringX[o1 + i]! + ringX[o9 + i]!) +
        g5 * (ringX[o0 + i]! + ringX[o10 + i]!);
      const my =
        g0 * ringY[o5 + i]! + g1 * (ringY[o4 + i]! + ringY[o6 + i]!) + g2 * (ringY[o3 + i]! + ringY[o7 + i]!) +
        g3 * (ringY[o2 + i]! + ringY[o8 + i]!) + g4 * (ringY[o1 + i]! + ringY[o9 + i]!) +
        g5 * (ringY[o0 + i]! + ringY[o10 + i]!);
      const msq =
        g0 * ringSq[o5 + i]! + g1 * (ringSq[o4 + i]! + ringSq[o6 + i]!) + g2 * (ringSq[o3 + i]! + ringSq[o7 + i]!) +
        g3 * (ringSq[o2 + i]! + ringSq[o8 + i]!) + g4 * (ringSq[o1 + i]! + ringSq[o9 + i]!) +
        g5 * (ringSq[o0 + i]! + ringSq[o10 + i]!);
      const mxy =
        g0 * ringXY[o5 + i]! + g1 * (ringXY[o4 + i]! + ringXY[o6 + i]!) + g2 * (ringXY[o3 + i]! + ringXY[o7 + i]!) +
        g3 * (ringXY[o2 + i]! + ringXY[o8 + i]!) + g4 * (ringXY[o1 + i]! + ringXY[o9 + i]!) +
        g5 * (ringXY[o0 + i]! + ringXY[o10 + i]!);
      const mxmy = mx * my;
      const mx2 = mx * mx;
      const my2 = my * my;
      const a2 = 2 * (mxy - mxmy) + C2;
      const b2 = msq - mx2 - my2 + C2;
      // C1, C2 > 0 keep both denominators positive: a flat image gives 1, never NaN.
      rowSsim[i] = ((2 * mxmy + C1) * a2) / ((mx2 + my2 + C1) * b2);
      if (withCs) rowCs[i] = a2 / b2;
    }
    // 4. Means over the valid region; the map keeps every pixel.
    if (oy >= R && oy < h - R) {
      for (let i = validCol0; i < validCol1; i++) ssimSum += rowSsim[i]!;
      if (withCs) for (let i = validCol0; i < validCol1; i++) csSum += rowCs[i]!;
    }
    if (map !== undefined) map.set(rowSsim, oy * w);
  }
  const count = (w - 2 * R) * (h - 2 * R);
  return { ssim: ssimSum / count, cs: withCs ? csSum / count : Number.NaN };
}
