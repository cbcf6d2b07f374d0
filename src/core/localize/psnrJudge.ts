import { AppError } from '../errors.ts';
import { psnrBytes } from '../metrics/psnr.ts';
import type { RgbImage } from '../vision/rgbImage.ts';
import type { TileJudge } from './localize.ts';

/**
 * A stand-in for the model (`--comparator fake`), for tests and demos: it prefers the crop with the higher PSNR to
 * the reference's crop, p(first better) = σ((PSNR_first − PSNR_second) / 2 dB), with 5% of the mass on other
 * tokens as a model's letters leave. For one image it names blur when the crop has less detail than the
 * reference's (mean |Laplacian|) and noise when it has more, its confidence growing with the ratio. No model runs.
 */
export function psnrJudge(): TileJudge {
  return {
    async compare({ reference, first, second }) {
      if (reference === null) {
        throw new AppError('BAD_ARGUMENTS', '--comparator fake compares PSNR to the reference, and there is none.', { hint: 'Give the reference with --ref, or use the model (--bundle).' });
      }
      const difference = clampDb(psnrBytes(reference.data, first.data)) - clampDb(psnrBytes(reference.data, second.data));
      const p = 1 / (1 + Math.exp(-difference / 2));
      return { pA: 0.95 * p, pB: 0.95 * (1 - p) };
    },
    async identify({ reference, image }) {
      const ratio = (detail(image) + 1e-6) / (detail(reference) + 1e-6);
      if (Math.abs(Math.log(ratio)) < 0.05) return { distortion: null, confidence: null };
      return { distortion: ratio < 1 ? 'blur' : 'noise', confidence: Math.min(0.99, 0.5 + Math.abs(Math.log(ratio)) / 2) };
    },
    counters: async () => ({ visionRuns: 0, prefillTokens: 0 }),
  };
}

/** Identical crops have an infinite PSNR: 100 dB stands for it, so a difference stays finite. */
const clampDb = (db: number) => Math.min(db, 100);

/** Mean |4-neighbour Laplacian| of the green channel: how much fine detail a crop has. */
function detail(image: RgbImage): number {
  const { width, height, data } = image;
  const g = (x: number, y: number) => data[(y * width + x) * 3 + 1]!;
  let sum = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      sum += Math.abs(4 * g(x, y) - g(x - 1, y) - g(x + 1, y) - g(x, y - 1) - g(x, y + 1));
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}
