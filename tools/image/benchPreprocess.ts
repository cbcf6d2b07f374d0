/**
 * Times DepictQA preprocessing (resize rule + PIL bicubic + padding + CLIP normalisation) on decoded RGB
 * photos-sized inputs. Run: npx tsx tools/image/benchPreprocess.ts
 */
import { performance } from 'node:perf_hooks';
import { preprocessImage } from '../../src/core/vision/preprocess.ts';
import { DEPICTQA_WILD_RULE } from '../../src/core/vision/resizeRule.ts';
import type { RgbImage } from '../../src/core/vision/rgbImage.ts';

const SIZES: Array<[width: number, height: number]> = [
  [512, 512],
  [1024, 1024],
  [4000, 3000],
];
const RUNS = 7;

/** Deterministic texture with edges, so the filter sees realistic variation (timing does not depend on it). */
function syntheticPhoto(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      data[i] = (x * 7 + y * 3) & 255;
      data[i + 1] = (x ^ y) & 255;
      data[i + 2] = ((x * y) >> 6) & 255;
    }
  }
  return { width, height, data };
}

for (const [width, height] of SIZES) {
  const image = syntheticPhoto(width, height);
  const times: number[] = [];
  let summary = '';
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const out = preprocessImage(image, DEPICTQA_WILD_RULE);
    times.push(performance.now() - start);
    summary = `→ resized ${out.resized.height}×${out.resized.width}, padded ${out.padded.height}×${out.padded.width}`;
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(RUNS / 2)]!;
  console.log(`${width}×${height} ${summary}: median ${medianMs.toFixed(1)} ms (min ${times[0]!.toFixed(1)}, ${RUNS} runs)`);
}
