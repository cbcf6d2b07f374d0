/**
 * An ImageEncoder for bundles converted without a vision graph: deterministic pseudo-random rows, one per
 * patch of the padded image (as CLIP without an Abstractor gives), seeded by the pixels so that different
 * images get different rows. Lets the language-model path be checked exactly against the reference.
 */
import type { PreprocessedImage } from '../../../src/core/vision/preprocess.ts';
import type { ImageEncoder, ImageFeatures } from '../../../src/engine/vision/ImageEncoder.ts';
import { seededRandom } from '../../../tools/oracles/randomLlama.ts';

export function fixedRowsEncoder(hiddenSize: number, scale = 0.1): ImageEncoder & { runs: number } {
  return {
    runs: 0,
    async encode(image: PreprocessedImage): Promise<ImageFeatures> {
      this.runs++;
      const count = image.grid.height * image.grid.width;
      const random = seededRandom(pixelHash(image.pixelValues));
      const rows = new Float32Array(count * hiddenSize);
      for (let i = 0; i < rows.length; i++) rows[i] = (random() - 0.5) * scale;
      return { rows, count };
    },
    async dispose() {},
  };
}

/** FNV-1a over the float bits of the pixels. */
function pixelHash(pixels: Float32Array): number {
  const bits = new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length);
  let hash = 0x811c9dc5;
  for (let i = 0; i < bits.length; i++) hash = Math.imul(hash ^ bits[i]!, 0x01000193) >>> 0;
  return hash;
}
