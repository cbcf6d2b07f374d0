import { resolveQuestion, type ResolvedQuestion } from '../../core/engine/question.ts';
import type { CompareRequest, CompareResult } from '../../core/engine/rank.ts';
import type { EncodedImage, ImageRef } from '../../core/engine/images.ts';
import { AppError } from '../../core/errors.ts';
import { comparisonConfidence } from '../../core/generation/verdict.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { LoadedModel } from '../openModel.ts';
import type { ImageFeatures } from '../vision/ImageEncoder.ts';
import { buildComparisonPrompt } from './comparisonPrompt.ts';
import { runComparison, type ComparisonContext } from './runComparison.ts';

/** An image as a comparison needs it: what the engine reports, and its rows, held for as long as the job runs. */
export interface HeldImage {
  info: EncodedImage;
  features: ImageFeatures;
}

/**
 * Encodes an image given as bytes (once per distinct file: the feature cache knows it by its SHA-256) or finds one
 * given by id. The rows are held by the caller, so the cache may drop the image meanwhile (it keeps 32).
 */
export async function holdImage(model: LoadedModel, ref: ImageRef, what: string): Promise<HeldImage> {
  if (typeof ref === 'string') {
    if (ref.length === 0) throw new AppError('REQUEST_INVALID', `${what} has an empty id.`, { hint: 'Add the image again.' });
    const stored = model.images.get(ref);
    return { info: { ...stored.info, cached: true }, features: stored.features };
  }
  if (typeof ref !== 'object' || ref === null || !(ref.bytes instanceof Uint8Array) || typeof ref.name !== 'string') {
    throw new AppError('REQUEST_INVALID', `${what} has neither bytes nor an id.`, { hint: 'Add the image again.' });
  }
  const info = await model.images.encode(ref);
  return { info, features: model.images.get(info.id).features };
}

/** What every comparison of a job shares: the question and where the letters are read. */
export interface ComparisonSetup {
  question: ResolvedQuestion;
  context: ComparisonContext;
}

export function comparisonSetup(model: LoadedModel, hasReference: boolean, questionIndex: number | undefined, counters: WorkCounters): ComparisonSetup {
  const ids = model.confidenceIds;
  if (ids === null) {
    throw new AppError('TOKENIZER_INVALID', "The bundle's tokenizer has no single tokens for ▁Image, ▁A and ▁B, so a comparison cannot be read.", {
      hint: "Convert the model again with Vicuna's LLaMA tokenizer.",
    });
  }
  // One fixed question for every pair (by default the first), so that answers differ only by the images.
  const question = resolveQuestion('comparison', hasReference, { index: questionIndex ?? 0 });
  return { question, context: { cache: model.cache, gpu: model.gpu, prefillChunk: model.prefillChunk, letters: ids, counters } };
}

/** One ordered comparison: Image A against Image B, with the reference when given. */
export async function compareImages(model: LoadedModel, request: CompareRequest, counters: WorkCounters): Promise<CompareResult> {
  if (typeof request !== 'object' || request === null) throw new AppError('REQUEST_INVALID', 'A comparison needs { a, b }.', { hint: 'Add Image A and Image B.' });
  const setup = comparisonSetup(model, request.reference !== undefined, request.questionIndex, counters);
  const reference = request.reference === undefined ? null : await holdImage(model, request.reference, 'The reference image');
  const a = await holdImage(model, request.a, 'Image A');
  const b = await holdImage(model, request.b, 'Image B');
  const held = new Map([reference, a, b].filter((image) => image !== null).map((image) => [image.info.id, image.features]));
  const ids = { ...(reference === null ? {} : { reference: reference.info.id }), a: a.info.id, b: b.info.id };
  const prompt = buildComparisonPrompt(ids, setup.question, model.tokenizer, (id) => held.get(id)!);
  if (request.reuse === false) model.cache.clear();
  const { pA, pB, work } = await runComparison(setup.context, prompt);
  return {
    ...comparisonConfidence(pA, pB),
    question: setup.question.text,
    images: { reference: reference?.info ?? null, a: a.info, b: b.info },
    work,
  };
}
