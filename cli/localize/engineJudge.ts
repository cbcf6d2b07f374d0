import sharp from 'sharp';
import type { ImageInput } from '../../src/core/engine/images.ts';
import type { TileJudge } from '../../src/core/localize/localize.ts';
import type { RgbImage } from '../../src/core/vision/rgbImage.ts';
import type { Engine } from '../../src/engine/Engine.ts';

/**
 * The engine as a map's judge. Each crop goes to the engine as a lossless PNG, so the engine decodes exactly its
 * pixels and runs the bundle's own resize rule on it; a crop is made and PNG-encoded once, and the engine keys
 * features by the bytes' SHA-256, so the second order of a tile and the reference crop cost no vision run.
 */
export function engineJudge(engine: Engine, options: { questionIndex?: number } = {}): TileJudge {
  // By crop: the two orders of a tile show the same crops; a finished tile's crops are let go with it.
  const encoded = new WeakMap<RgbImage, Promise<ImageInput>>();
  const png = (image: RgbImage, name: string): Promise<ImageInput> => {
    let bytes = encoded.get(image);
    if (bytes === undefined) {
      bytes = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .png({ compressionLevel: 1 })
        .toBuffer()
        .then((buffer) => ({ name, bytes: new Uint8Array(buffer) }));
      encoded.set(image, bytes);
    }
    return bytes;
  };
  const name = (role: string, tile: { row: number; col: number }) => `${role} tile r${tile.row}c${tile.col}.png`;
  return {
    async compare({ reference, first, second }, tile) {
      const result = await engine.compare({
        ...(reference === null ? {} : { reference: await png(reference, name('reference', tile)) }),
        a: await png(first, name('first', tile)),
        b: await png(second, name('second', tile)),
        questionIndex: options.questionIndex ?? 0,
      });
      return { pA: result.pA, pB: result.pB };
    },
    async identify({ reference, image }, tile) {
      const result = await engine.generate({
        task: 'distortion',
        images: { reference: await png(reference, name('reference', tile)), a: await png(image, name('A', tile)) },
      });
      return { distortion: result.distortion === 'None' ? null : result.distortion, confidence: result.confidence?.value ?? null };
    },
    async counters() {
      const counters = await engine.counters();
      return { visionRuns: counters.visionRuns, prefillTokens: counters.prefillTokens };
    },
  };
}
