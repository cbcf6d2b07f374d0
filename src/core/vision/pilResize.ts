import { AppError } from '../errors.ts';
import { assertRgbImage, type RgbImage } from './rgbImage.ts';

/**
 * PIL's `Image.resize(size, Image.BICUBIC)` for 8-bit RGB, reproduced bit for bit (Pillow's
 * src/libImaging/Resample.c; the fixtures come from Debian's Pillow 9.4, and today's source computes the same):
 * 1. per output column/row, a window of source pixels and cubic weights (a = -0.5) on a grid stretched by the
 *    downscale factor (antialiasing), normalised to sum 1 in float64;
 * 2. weights quantised to fixed point with 22 fractional bits (PRECISION_BITS = 32 - 8 - 2);
 * 3. horizontal pass first, rounded and clipped to uint8, then the vertical pass on that uint8 result.
 * Passes whose size does not change are skipped, as PIL does; equal sizes return a copy.
 */

const PRECISION_BITS = 22;
const ROUNDING = 1 << (PRECISION_BITS - 1);
const FIXED_ONE = 1 << PRECISION_BITS;
/** PIL's BICUBIC filter reaches 2 input pixels either side before stretching. */
const BICUBIC_SUPPORT = 2;

/** PIL's `bicubic_filter` (Keys' cubic convolution with a = -0.5), same expression order. */
function bicubicFilter(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Source window and fixed-point weights for each output position along one axis. */
interface AxisCoefficients {
  /** [outSize]: first source index of the window */
  first: Int32Array;
  /** [outSize]: number of source pixels in the window */
  count: Int32Array;
  /**
   * [outSize, taps]: fixed-point weights (integers), zero past `count`. Held as float64 because the sums
   * exceed V8's small-integer range anyway; integer products and sums below 2^53 are exact either way.
   */
  weights: Float64Array;
  taps: number;
}

/** PIL's `precompute_coeffs` + `normalize_coeffs_8bpc` for the box (0, inSize). */
function axisCoefficients(inSize: number, outSize: number): AxisCoefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  const raw = new Float64Array(taps);
  const inverseScale = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    // C casts to int, truncating toward zero; the clamp makes that equal to flooring here.
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubicFilter((x + xmin - center + 0.5) * inverseScale);
      raw[x] = w;
      sum += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? raw[x]! / sum : raw[x]!;
      weights[out * taps + x] = w < 0 ? Math.trunc(-0.5 + w * FIXED_ONE) : Math.trunc(0.5 + w * FIXED_ONE);
    }
    first[out] = xmin;
    count[out] = xmax;
  }
  return { first, count, weights, taps };
}

/** PIL's `clip8`: drop the fraction bits (arithmetic shift, i.e. floor) and clamp to 0..255. */
function clip8(accumulator: number): number {
  const value = accumulator >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

/** Horizontal pass over rows [rowStart, rowStart + rows) of `src`. */
function resampleHorizontal(
  src: Uint8Array,
  srcWidth: number,
  rowStart: number,
  rows: number,
  outWidth: number,
  k: AxisCoefficients,
): Uint8Array {
  const out = new Uint8Array(rows * outWidth * 3); // [rows, outWidth, 3]
  const { first, count, weights, taps } = k;
  for (let y = 0; y < rows; y++) {
    const srcRow = (y + rowStart) * srcWidth * 3;
    const outRow = y * outWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const n = count[xx]!;
      const kBase = xx * taps;
      let s = srcRow + first[xx]! * 3;
      let r = ROUNDING;
      let g = ROUNDING;
      let b = ROUNDING;
      for (let x = 0; x < n; x++, s += 3) {
        const w = weights[kBase + x]!;
        r += src[s]! * w;
        g += src[s + 1]! * w;
        b += src[s + 2]! * w;
      }
      const o = outRow + xx * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return out;
}

/** Vertical pass; `rowOffset` is the source row that `src` starts at (PIL shifts the bounds the same way). */
function resampleVertical(
  src: Uint8Array,
  width: number,
  rowOffset: number,
  outHeight: number,
  k: AxisCoefficients,
): Uint8Array {
  const out = new Uint8Array(outHeight * width * 3); // [outHeight, width, 3]
  const { first, count, weights, taps } = k;
  const stride = width * 3;
  for (let yy = 0; yy < outHeight; yy++) {
    const n = count[yy]!;
    const kBase = yy * taps;
    const top = (first[yy]! - rowOffset) * stride;
    const outRow = yy * stride;
    for (let i = 0; i < stride; i++) {
      let acc = ROUNDING;
      for (let y = 0, s = top + i; y < n; y++, s += stride) acc += src[s]! * weights[kBase + y]!;
      out[outRow + i] = clip8(acc);
    }
  }
  return out;
}

/** `image.resize((width, height), Image.BICUBIC)` as Pillow computes it for an RGB image. */
export function resizeBicubicPil(image: RgbImage, width: number, height: number): RgbImage {
  assertRgbImage(image, 'resizeBicubicPil input');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new AppError('INTERNAL', `resizeBicubicPil: invalid target size ${width} × ${height}`);
  }
  const needHorizontal = width !== image.width;
  const needVertical = height !== image.height;
  if (!needHorizontal && !needVertical) return { width, height, data: image.data.slice() };

  const vertical = axisCoefficients(image.height, height);
  // Only the source rows that the vertical pass reads go through the horizontal pass.
  const firstRow = vertical.first[0]!;
  const lastRow = vertical.first[height - 1]! + vertical.count[height - 1]!;

  let data = image.data;
  let rowOffset = 0;
  if (needHorizontal) {
    const horizontal = axisCoefficients(image.width, width);
    data = resampleHorizontal(image.data, image.width, firstRow, lastRow - firstRow, width, horizontal);
    rowOffset = firstRow;
    if (!needVertical) return { width, height, data };
  }
  return { width, height, data: resampleVertical(data, width, rowOffset, height, vertical) };
}
