import { autoDownsampleFactor, boxDownsample } from './downsample.ts';
import { MIN_SIDE, requireMinSide, type Plane } from './image.ts';
import { ssimStats } from './ssimKernel.ts';

export interface SsimOptions {
  /**
   * Wang's ssim.m automatic downsampling (on by default): average f×f then keep every f-th pixel,
   * f = max(1, round(min(H, W) / 256)), so the 11×11 window sees structure at a viewing-like scale.
   * Off: SSIM at full resolution, as scikit-image computes it.
   */
  downsample?: boolean;
  /** Return the SSIM map (on by default). */
  map?: boolean;
}

/** The SSIM map at the resolution SSIM was computed at (after any downsampling). */
export interface SsimMap {
  width: number;
  height: number;
  /** [height, width], values in [−1, 1]; borders use mirrored neighbours like skimage's full map */
  data: Float32Array;
}

export interface SsimResult {
  /** Mean of the map over the valid region (borders of 5 pixels excluded, as ssim.m's 'valid' filter). */
  value: number;
  /** 1 when not downsampled. */
  downsampleFactor: number;
  map: SsimMap | undefined;
}

/** SSIM (Wang et al. 2004) of two luma planes of equal size on a 0..255 scale. */
export function ssim(reference: Plane, distorted: Plane, options: SsimOptions = {}, label = 'the image'): SsimResult {
  requireMinSide(reference, MIN_SIDE, 'SSIM (11×11 window)', label);
  const factor = options.downsample === false ? 1 : autoDownsampleFactor(reference.width, reference.height);
  const x = boxDownsample(reference, factor);
  const y = boxDownsample(distorted, factor);
  if (options.map === false) {
    return { value: ssimStats(x, y).ssim, downsampleFactor: factor, map: undefined };
  }
  const data = new Float32Array(x.width * x.height);
  const { ssim: value } = ssimStats(x, y, { map: data });
  return { value, downsampleFactor: factor, map: { width: x.width, height: x.height, data } };
}
