import { AppError } from '../errors.ts';
import { assertRgbImage, type RgbImage } from './rgbImage.ts';
import type { ImageSize } from './resizeRule.ts';

/** CLIP's normalisation constants, as DepictQA's `CustomTransform` holds them (float32 tensors). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/**
 * Where the image lands inside the padded canvas. torchvision's `center_crop` to a larger size pads
 * `[left, top, right, bottom] = [(W - w) // 2, (H - h) // 2, (W - w + 1) // 2, (H - h + 1) // 2]` with 0,
 * so an odd difference puts the extra black row/column at the bottom/right.
 */
export function padOffsets(size: ImageSize, padded: ImageSize): { top: number; left: number } {
  if (padded.height < size.height || padded.width < size.width) {
    throw new AppError(
      'INTERNAL',
      `padOffsets: cannot pad ${size.height} × ${size.width} to the smaller ${padded.height} × ${padded.width}`,
    );
  }
  return { top: Math.floor((padded.height - size.height) / 2), left: Math.floor((padded.width - size.width) / 2) };
}

/** The image centred on a black canvas of `padded` size, as `center_crop(img, (H, W))` returns it for a PIL image. */
export function padCenter(image: RgbImage, padded: ImageSize): RgbImage {
  assertRgbImage(image, 'padCenter input');
  const { top, left } = padOffsets(image, padded);
  if (top === 0 && left === 0 && padded.height === image.height && padded.width === image.width) {
    return { width: image.width, height: image.height, data: image.data.slice() };
  }
  const data = new Uint8Array(padded.height * padded.width * 3); // [H, W, 3], zero = black
  const rowBytes = image.width * 3;
  for (let y = 0; y < image.height; y++) {
    const dst = ((y + top) * padded.width + left) * 3;
    data.set(image.data.subarray(y * rowBytes, (y + 1) * rowBytes), dst);
  }
  return { width: padded.width, height: padded.height, data };
}

/**
 * The 256 normalised values per channel, [3, 256]. DepictQA computes `np.array(img) / 255.0` in float64 and
 * subtracts / divides by float32 mean and std tensors, so the arithmetic is float64 with float32-rounded
 * constants; the result is rounded once to float32 here. (torchvision's ToTensor + Normalize would work in
 * float32 throughout; the two differ by at most one float32 ulp.)
 */
function normalisationTable(): Float32Array {
  const table = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(CLIP_MEAN[c]!);
    const std = Math.fround(CLIP_STD[c]!);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / std;
  }
  return table;
}

let cachedTable: Float32Array | undefined;

/** RGB bytes → CLIP-normalised planes: Float32Array [3, height, width] (CHW), ready for the patch convolution. */
export function normalizeClip(image: RgbImage): Float32Array {
  assertRgbImage(image, 'normalizeClip input');
  const table = (cachedTable ??= normalisationTable());
  const plane = image.width * image.height;
  const out = new Float32Array(3 * plane);
  const src = image.data;
  for (let i = 0, s = 0; i < plane; i++, s += 3) {
    out[i] = table[src[s]!]!;
    out[plane + i] = table[256 + src[s + 1]!]!;
    out[2 * plane + i] = table[512 + src[s + 2]!]!;
  }
  return out;
}
