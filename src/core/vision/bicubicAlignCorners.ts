import { AppError } from '../errors.ts';

/**
 * PyTorch's `F.interpolate(x, size, mode='bicubic', align_corners=True)` on a channels-last grid
 * (aten upsample_bicubic2d): source coordinate `i · (in - 1) / (out - 1)` (0 when out = 1), Keys' cubic
 * convolution with A = -0.75 on the 4 neighbours `floor(src) - 1 .. floor(src) + 2`, indices clamped to the
 * border, separable (x within each of the 4 rows, then y). Computed in float64 and rounded once: it matches
 * PyTorch run in float64 to the last float32 bit, and PyTorch's float32 kernel (whose own rounding reaches
 * ~1e-6 on unit-variance data) to a few 1e-6.
 */

const A = -0.75;

interface AxisTaps {
  /** [out, 4]: clamped source indices */
  index: Int32Array;
  /** [out, 4]: cubic weights */
  weight: Float64Array;
}

function cubicNear(x: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1;
}

function cubicFar(x: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

function axisTaps(inSize: number, outSize: number): AxisTaps {
  const scale = outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  const index = new Int32Array(outSize * 4);
  const weight = new Float64Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const real = scale * i;
    // PyTorch's guard_index_and_lambda: keep the base index inside the input, the fraction in [0, 1].
    const base = Math.min(Math.floor(real), inSize - 1);
    const t = Math.min(Math.max(real - base, 0), 1);
    const w = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
    for (let j = 0; j < 4; j++) {
      index[i * 4 + j] = Math.min(Math.max(base - 1 + j, 0), inSize - 1);
      weight[i * 4 + j] = w[j]!;
    }
  }
  return { index, weight };
}

/**
 * Resamples `grid` [srcH, srcW, channels] (row-major, channels last, as position-embedding rows are stored)
 * to [dstH, dstW, channels].
 */
export function bicubicAlignCorners(
  grid: Float32Array,
  srcH: number,
  srcW: number,
  dstH: number,
  dstW: number,
  channels: number,
): Float32Array {
  for (const [name, v] of Object.entries({ srcH, srcW, dstH, dstW, channels })) {
    if (!Number.isInteger(v) || v < 1) throw new AppError('INTERNAL', `bicubicAlignCorners: ${name} = ${v} must be a positive integer`);
  }
  if (grid.length !== srcH * srcW * channels) {
    throw new AppError(
      'INTERNAL',
      `bicubicAlignCorners: grid holds ${grid.length} values, expected ${srcH} × ${srcW} × ${channels}`,
    );
  }
  // PyTorch copies when the size is unchanged; the weights would be (0, 1, 0, 0) anyway.
  if (srcH === dstH && srcW === dstW) return grid.slice();

  const ys = axisTaps(srcH, dstH);
  const xs = axisTaps(srcW, dstW);
  const out = new Float32Array(dstH * dstW * channels);
  const rowValues = new Float64Array(channels);
  const acc = new Float64Array(channels);
  for (let oy = 0; oy < dstH; oy++) {
    for (let ox = 0; ox < dstW; ox++) {
      acc.fill(0);
      for (let j = 0; j < 4; j++) {
        // Interpolate along x within source row ys.index[j], then weight the row along y.
        rowValues.fill(0);
        const rowBase = ys.index[oy * 4 + j]! * srcW;
        for (let i = 0; i < 4; i++) {
          const wx = xs.weight[ox * 4 + i]!;
          const src = (rowBase + xs.index[ox * 4 + i]!) * channels;
          for (let c = 0; c < channels; c++) rowValues[c]! += grid[src + c]! * wx;
        }
        const wy = ys.weight[oy * 4 + j]!;
        for (let c = 0; c < channels; c++) acc[c]! += rowValues[c]! * wy;
      }
      out.set(acc, (oy * dstW + ox) * channels);
    }
  }
  return out;
}
