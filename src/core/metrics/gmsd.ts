import type { Plane } from './image.ts';

/** Stability constant of Xue et al. 2014 for a 0..255 range. */
const T = 170;

/**
 * MATLAB's `conv2(Y, ones(2)/4, 'same')` then `(1:2:end, 1:2:end)`: output (i, j) is the mean of the
 * 2×2 block starting at (2i, 2j); past the last row or column conv2 pads with zeros. [ceil(H/2), ceil(W/2)]
 */
function halve(plane: Plane): Plane {
  const { width, height, data } = plane;
  const outWidth = Math.ceil(width / 2);
  const outHeight = Math.ceil(height / 2);
  const out = new Float64Array(outWidth * outHeight);
  for (let oy = 0; oy < outHeight; oy++) {
    const r0 = 2 * oy * width;
    const hasRow1 = 2 * oy + 1 < height;
    for (let ox = 0; ox < outWidth; ox++) {
      const c = 2 * ox;
      const hasCol1 = c + 1 < width;
      let sum = data[r0 + c]!;
      if (hasCol1) sum += data[r0 + c + 1]!;
      if (hasRow1) {
        sum += data[r0 + width + c]!;
        if (hasCol1) sum += data[r0 + width + c + 1]!;
      }
      out[oy * outWidth + ox] = sum * 0.25;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/**
 * Prewitt gradient magnitude, GMSD.m's `conv2(Y, [1 0 −1; 1 0 −1; 1 0 −1]/3, 'same')` and its transpose,
 * with conv2's zero padding at the borders. [H, W]
 */
function gradientMagnitude(plane: Plane): Float64Array {
  const { width, height, data } = plane;
  const out = new Float64Array(width * height);
  const at = (r: number, c: number): number =>
    r < 0 || r >= height || c < 0 || c >= width ? 0 : data[r * width + c]!;
  for (let r = 0; r < height; r++) {
    const interiorRow = r > 0 && r < height - 1;
    for (let c = 0; c < width; c++) {
      let gx: number;
      let gy: number;
      if (interiorRow && c > 0 && c < width - 1) {
        const up = (r - 1) * width + c;
        const mid = up + width;
        const down = mid + width;
        gx = data[up - 1]! + data[mid - 1]! + data[down - 1]! - data[up + 1]! - data[mid + 1]! - data[down + 1]!;
        gy = data[up - 1]! + data[up]! + data[up + 1]! - data[down - 1]! - data[down]! - data[down + 1]!;
      } else {
        gx = at(r - 1, c - 1) + at(r, c - 1) + at(r + 1, c - 1) - at(r - 1, c + 1) - at(r, c + 1) - at(r + 1, c + 1);
        gy = at(r - 1, c - 1) + at(r - 1, c) + at(r - 1, c + 1) - at(r + 1, c - 1) - at(r + 1, c) - at(r + 1, c + 1);
      }
      gx /= 3;
      gy /= 3;
      out[r * width + c] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return out;
}

/**
 * GMSD (Xue, Zhang, Mou & Bovik 2014): population standard deviation of the gradient magnitude
 * similarity map (2·m1·m2 + T) / (m1² + m2² + T) on 2×2-averaged luma. 0 means identical gradients;
 * larger is worse. T > 0 keeps a flat image at similarity 1, never NaN.
 */
export function gmsd(reference: Plane, distorted: Plane): number {
  const m1 = gradientMagnitude(halve(reference));
  const m2 = gradientMagnitude(halve(distorted));
  // The similarity map overwrites m1: [ceil(H/2), ceil(W/2)].
  const gms = m1;
  let sum = 0;
  for (let i = 0; i < gms.length; i++) {
    const a = m1[i]!;
    const b = m2[i]!;
    gms[i] = (2 * a * b + T) / (a * a + b * b + T);
    sum += gms[i]!;
  }
  const mean = sum / gms.length;
  let sumSq = 0;
  for (let i = 0; i < gms.length; i++) {
    const d = gms[i]! - mean;
    sumSq += d * d;
  }
  return Math.sqrt(sumSq / gms.length);
}
