import type { ResolvedQuestion } from '../../core/engine/question.ts';
import { COMPARISON_ANSWER_PREFIX } from '../../core/engine/rank.ts';
import { buildPrompt, type BuiltPrompt } from '../prompt/buildPrompt.ts';
import type { TextTokenizer } from '../../core/prompt/textTokenizer.ts';
import type { ImageFeatures } from '../vision/ImageEncoder.ts';

export interface ComparisonPrompt extends BuiltPrompt {
  /** Positions before Image A's rows: BOS, system text, the reference's rows and tags, "Image A: <Img-A>". */
  sharedPrefix: number;
}

/** Image ids of one ordered comparison; the reference is optional. */
export interface ComparisonImages {
  reference?: string;
  a: string;
  b: string;
}

/**
 * DepictQA's brief comparison prompt followed by the start of its answer: the template with the images and the
 * question, then `▁Image` (the answer prefix tokenized on its own, as the trained answer "Image A" is). The
 * logits of that last position are p(next token | …, ▁Image), where p(▁A) and p(▁B) are read: the prompt and
 * the prefix run in one prefill, the same numbers as one decode step of `▁Image` after the prompt.
 */
export function buildComparisonPrompt(
  images: ComparisonImages,
  question: ResolvedQuestion,
  tokenizer: TextTokenizer,
  featuresOf: (imageId: string) => ImageFeatures,
): ComparisonPrompt {
  const hasReference = images.reference !== undefined;
  const slots = hasReference ? { reference: images.reference, a: images.a, b: images.b } : { a: images.a, b: images.b };
  const prompt = buildPrompt({ task: 'comparison', hasReference, images: slots }, question, tokenizer, featuresOf);
  const prefix = [...tokenizer.encodePiece(COMPARISON_ANSWER_PREFIX)];
  let sharedPrefix = 0;
  for (const item of prompt.items) {
    if ('slot' in item && item.slot === 'a') break;
    sharedPrefix += 'ids' in item ? item.ids.length : item.features.count;
  }
  return {
    info: { ...prompt.info, segments: [...prompt.info.segments, { ids: prefix }], positions: prompt.keys.length + prefix.length },
    items: [...prompt.items, { ids: prefix }],
    keys: [...prompt.keys, ...prefix],
    sharedPrefix,
  };
}
