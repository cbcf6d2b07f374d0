import type { CheckedRequest } from '../../core/engine/request.ts';
import type { ResolvedQuestion } from '../../core/engine/question.ts';
import type { PromptInfo, PromptSegmentInfo } from '../../core/engine/generate.ts';
import { assemblePrompt, promptKindFor } from '../../core/prompt/assemblePrompt.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import type { TextTokenizer } from '../../core/prompt/textTokenizer.ts';
import type { ImageFeatures } from '../vision/ImageEncoder.ts';

/** Text token ids, or one image's rows. */
export type PromptItem = { ids: number[] } | { slot: ImageSlotId; imageId: string; features: ImageFeatures };

/**
 * What occupies one position of the sequence, for prefix reuse: a token id, or row r of an image
 * (`<image id>:<r>`). Two sequences share their KV cache up to the first position whose keys differ.
 */
export type PositionKey = number | string;

export interface BuiltPrompt {
  info: PromptInfo;
  items: PromptItem[];
  keys: PositionKey[];
}

/** BOS + the template's chunks, text tokenized chunk by chunk, each image slot replaced by that image's rows. */
export function buildPrompt(
  /** With each image named by the id the engine holds it under. */
  request: CheckedRequest<string>,
  question: ResolvedQuestion,
  tokenizer: TextTokenizer,
  featuresOf: (imageId: string) => ImageFeatures,
): BuiltPrompt {
  const kind = promptKindFor(request.task, request.hasReference);
  const items: PromptItem[] = [];
  const segments: PromptSegmentInfo[] = [];
  const keys: PositionKey[] = [];
  for (const segment of assemblePrompt(kind, question.text, tokenizer.encodeChunk)) {
    if ('ids' in segment) {
      items.push({ ids: segment.ids });
      segments.push({ ids: segment.ids });
      keys.push(...segment.ids);
      continue;
    }
    const imageId = request.images[segment.image];
    // checkRequest guarantees every slot of the kind's template; a miss here is a bug, not bad input.
    if (imageId === undefined) throw new Error(`prompt ${kind} shows ${segment.image}, which the request lacks`);
    const features = featuresOf(imageId);
    items.push({ slot: segment.image, imageId, features });
    segments.push({ image: segment.image, rows: features.count });
    for (let row = 0; row < features.count; row++) keys.push(`${imageId}:${row}`);
  }
  return {
    info: {
      task: request.task,
      kind,
      hasReference: request.hasReference,
      question: question.text,
      questionIndex: question.index,
      segments,
      positions: keys.length,
    },
    items,
    keys,
  };
}

/**
 * The input embeddings of positions [start, end) of the prompt [end − start, hidden]: the text tokens of the
 * range embedded in one run, image rows copied from their features.
 */
export async function embedRange(
  items: readonly PromptItem[],
  start: number,
  end: number,
  hiddenSize: number,
  embed: (ids: readonly number[]) => Promise<Float32Array>,
): Promise<Float32Array> {
  // 1. Where each item overlaps the range, and which text ids it needs.
  const parts: Array<{ item: PromptItem; from: number; to: number }> = [];
  const textIds: number[] = [];
  let position = 0;
  for (const item of items) {
    const length = 'ids' in item ? item.ids.length : item.features.count;
    const from = Math.max(start, position) - position;
    const to = Math.min(end, position + length) - position;
    if (from < to) {
      parts.push({ item, from, to });
      if ('ids' in item) textIds.push(...item.ids.slice(from, to));
    }
    position += length;
  }
  // 2. One embedding run for the text, then the rows in order.
  const textRows = await embed(textIds);
  const out = new Float32Array((end - start) * hiddenSize);
  let row = 0;
  let textRow = 0;
  for (const { item, from, to } of parts) {
    const count = to - from;
    if ('ids' in item) {
      out.set(textRows.subarray(textRow * hiddenSize, (textRow + count) * hiddenSize), row * hiddenSize);
      textRow += count;
    } else {
      out.set(item.features.rows.subarray(from * hiddenSize, to * hiddenSize), row * hiddenSize);
    }
    row += count;
  }
  return out;
}
