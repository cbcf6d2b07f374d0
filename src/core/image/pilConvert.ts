import { AppError } from '../errors.ts';
import type { RgbImage } from '../vision/rgbImage.ts';

/**
 * PIL's `convert("RGB")` applied to decoded samples, for the layouts a decoder hands over. Alpha is dropped,
 * never composited: transparent pixels keep their stored colour. Checked against Pillow 9.4:
 * - 8-bit grey (L, LA) → (v, v, v); RGB/RGBA → the colour bytes.
 * - CMYK (JPEG) → `cmyk2rgb`: R = 255 - K - round(C · (255 - K) / 255) with PIL's MULDIV255 rounding,
 *   no colour management (libjpeg has already undone Adobe's inversion).
 * - 16-bit PNG: colour, colour + alpha and grey + alpha keep the high byte (v >> 8), since Pillow unpacks them
 *   with "RGB;16B"-style raw modes. One written exception: plain 16-bit grey opens in Pillow as mode "I" and
 *   `i2rgb` clips it, min(v, 255), so most of a 16-bit grey photo turns white. We keep its high byte instead,
 *   as browsers do, so that the model sees the photo and the page and Node engines agree; the page's slot says
 *   "16-bit PNG, reduced to 8 bits".
 */
export type SampleLayout = 'grey' | 'greyAlpha' | 'rgb' | 'rgba' | 'cmyk';

const CHANNELS: Record<SampleLayout, number> = { grey: 1, greyAlpha: 2, rgb: 3, rgba: 4, cmyk: 4 };

/** PIL's MULDIV255(a, b): a·b/255 rounded, in integer arithmetic. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

export function samplesToRgb(
  samples: Uint8Array | Uint16Array,
  width: number,
  height: number,
  layout: SampleLayout,
): RgbImage {
  const channels = CHANNELS[layout];
  const count = width * height;
  if (samples.length !== count * channels) {
    throw new AppError(
      'INTERNAL',
      `samplesToRgb: ${samples.length} samples for ${width} × ${height} × ${channels} (${layout})`,
    );
  }
  const wide = samples instanceof Uint16Array;
  if (wide && layout === 'cmyk') throw new AppError('INTERNAL', 'samplesToRgb: 16-bit CMYK has no PIL equivalent here');
  // Every 16-bit layout keeps its high byte (plain grey too: the exception to PIL above).
  const to8 = wide ? (v: number) => v >> 8 : (v: number) => v;
  const data = new Uint8Array(count * 3); // [height, width, 3]
  for (let i = 0, s = 0, o = 0; i < count; i++, s += channels, o += 3) {
    if (layout === 'grey' || layout === 'greyAlpha') {
      const v = to8(samples[s]!);
      data[o] = v;
      data[o + 1] = v;
      data[o + 2] = v;
    } else if (layout === 'cmyk') {
      const nk = 255 - samples[s + 3]!;
      data[o] = nk - mulDiv255(samples[s]!, nk);
      data[o + 1] = nk - mulDiv255(samples[s + 1]!, nk);
      data[o + 2] = nk - mulDiv255(samples[s + 2]!, nk);
    } else {
      data[o] = to8(samples[s]!);
      data[o + 1] = to8(samples[s + 1]!);
      data[o + 2] = to8(samples[s + 2]!);
    }
  }
  return { width, height, data };
}
