import { mulberry32 } from '../../seededRandom.ts';
import type { RgbImage } from '../../vision/rgbImage.ts';

/**
 * The map's test scene: a textured reference; A with its top-left quadrant blurred (5×5 box), B with its
 * bottom-right quadrant noisy (uniform ±40); the rest of A and B the reference's pixels exactly.
 */
export function quadrantPair(width: number, height: number, seed = 1): { reference: RgbImage; a: RgbImage; b: RgbImage } {
  const random = mulberry32(seed);
  const reference = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) reference[(y * width + x) * 3 + c] = Math.round(128 + 60 * Math.sin(x / 3 + c) * Math.cos(y / 4) + 40 * (random() - 0.5));
    }
  }
  const a = reference.slice();
  const b = reference.slice();
  const halfW = Math.floor(width / 2);
  const halfH = Math.floor(height / 2);
  for (let y = 0; y < halfH; y++) {
    for (let x = 0; x < halfW; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let dy = -2; dy <= 2; dy++) {
          for (let dx = -2; dx <= 2; dx++) {
            const yy = Math.min(height - 1, Math.max(0, y + dy));
            const xx = Math.min(width - 1, Math.max(0, x + dx));
            sum += reference[(yy * width + xx) * 3 + c]!;
            n++;
          }
        }
        a[(y * width + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  for (let y = halfH; y < height; y++) {
    for (let x = halfW; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * width + x) * 3 + c;
        b[i] = Math.min(255, Math.max(0, b[i]! + Math.round(80 * (random() - 0.5))));
      }
    }
  }
  return { reference: { width, height, data: reference }, a: { width, height, data: a }, b: { width, height, data: b } };
}
