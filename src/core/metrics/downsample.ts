import type { Plane } from './image.ts';

/**
 * MATLAB's `img = imfilter(img, ones(f,f)/f^2, 'symmetric', 'same'); img = img(1:f:end, 1:f:end)`, the
 * downsampling in Wang's ssim.m and msssim.m. Output is ceil(H/f) × ceil(W/f).
 * imfilter centres an f-tap kernel on tap floor((f+1)/2) (1-based), so output j averages input
 * rows j·f − o … j·f − o + f − 1 with o = floor((f−1)/2); 'symmetric' mirrors past the edge
 * including the edge sample (−1 → 0, H → H−1).
 */
export function boxDownsample(plane: Plane, factor: number): Plane {
  if (factor === 1) return plane;
  const { width, height, data } = plane;
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const before = Math.floor((factor - 1) / 2);
  const rowIndex = mirroredTaps(height, outHeight, factor, before);
  const colIndex = mirroredTaps(width, outWidth, factor, before);
  const scale = 1 / (factor * factor);

  // Rows first into one line of sums per output row: [outWidth]; no allocation per pixel.
  const colSums = new Float64Array(width);
  const out = new Float64Array(outWidth * outHeight);
  for (let oy = 0; oy < outHeight; oy++) {
    colSums.fill(0);
    for (let k = 0; k < factor; k++) {
      const row = rowIndex[oy * factor + k]! * width;
      for (let x = 0; x < width; x++) colSums[x]! += data[row + x]!;
    }
    const outRow = oy * outWidth;
    for (let ox = 0; ox < outWidth; ox++) {
      let sum = 0;
      for (let k = 0; k < factor; k++) sum += colSums[colIndex[ox * factor + k]!]!;
      out[outRow + ox] = sum * scale;
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** Source index of every tap: [outCount, factor], mirrored at both edges. */
function mirroredTaps(size: number, outCount: number, factor: number, before: number): Int32Array {
  const taps = new Int32Array(outCount * factor);
  for (let o = 0; o < outCount; o++) {
    for (let k = 0; k < factor; k++) taps[o * factor + k] = mirror(o * factor - before + k, size);
  }
  return taps;
}

/** MATLAB 'symmetric' padding (scipy's 'reflect'): … 1 0 | 0 1 … n−1 | n−1 n−2 … */
export function mirror(index: number, size: number): number {
  let i = index;
  // Loop because a tiny plane can need more than one reflection.
  for (;;) {
    if (i < 0) i = -i - 1;
    else if (i >= size) i = 2 * size - i - 1;
    else return i;
  }
}

/** Wang's ssim.m automatic factor: max(1, round(min(H, W) / 256)). */
export function autoDownsampleFactor(width: number, height: number): number {
  return Math.max(1, Math.round(Math.min(width, height) / 256));
}
