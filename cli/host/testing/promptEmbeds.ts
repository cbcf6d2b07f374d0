import type { PromptSegmentInfo } from '../../../src/core/engine/generate.ts';
import type { ImageInput } from '../../../src/core/engine/images.ts';
import type { ImageSlotId } from '../../../src/core/tasks.ts';
import { preprocessImage, type PreprocessedImage } from '../../../src/core/vision/preprocess.ts';
import type { ResizeRule } from '../../../src/core/vision/resizeRule.ts';
import { decodeImageBytes } from '../../image/decode.ts';
import { concatArrays } from '../../../tools/testing/concatArrays.ts';

/** Where a reference prompt's rows come from: a table for token ids, an encoder for each preprocessed image. */
export interface PromptRows {
  text(ids: number[]): Float32Array;
  image(pixels: PreprocessedImage): Float32Array | Promise<Float32Array>;
}

/** A prompt's input embeddings ([positions, hidden]) built independently of the engine, segment by segment. */
export async function referencePromptEmbeds(
  segments: readonly PromptSegmentInfo[],
  images: Record<ImageSlotId, ImageInput>,
  rows: PromptRows,
  /** The bundle's image rule (its manifest's). */
  rule: ResizeRule,
): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for (const segment of segments) {
    if ('ids' in segment) parts.push(rows.text(segment.ids));
    else parts.push(await rows.image(preprocessImage(await decodeImageBytes(images[segment.image].bytes, segment.image), rule)));
  }
  return concatArrays(Float32Array, parts);
}
