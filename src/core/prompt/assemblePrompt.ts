import { AppError } from '../errors.ts';
import { comparesAB, type ImageSlotId, type TaskId } from '../tasks.ts';
import { PROMPTS, QUESTION_MARKER, type PromptData, type PromptImage, type PromptKind } from './prompts.ts';
import { BOS_ID } from './specialTokens.ts';

/**
 * The LLM input of one question (model contract, "Prompt assembly" and "Tasks"): BOS, then the template's
 * chunks in order, each text chunk tokenized on its own, each image chunk standing for that image's
 * projected rows.
 */

/** Token ids of text, or the place of one image's embedding rows. */
export type PromptSegment = { ids: number[] } | { image: ImageSlotId };

const SLOT_OF_IMAGE: Record<PromptImage, ImageSlotId> = { reference: 'reference', A: 'a', B: 'b' };

/** Comparison tasks show A and B; the others show A alone. The reference, when given, picks the full-reference kind. */
export function promptKindFor(task: TaskId, hasReference: boolean): PromptKind {
  if (comparesAB(task)) return hasReference ? 'compare_full_reference' : 'compare_no_reference';
  return hasReference ? 'single_full_reference' : 'single_no_reference';
}

/** Which of a distortion question's three forms: open, "ONE distortion", "TWO distortions". */
export type DistortionForm = 'open' | 'one' | 'two';
const DISTORTION_FORM_INDEX: Record<DistortionForm, 0 | 1 | 2> = { open: 0, one: 1, two: 2 };

export interface QuestionOptions {
  hasReference: boolean;
  /** Which question of the task's set (default 0, the first). */
  index?: number;
  /**
   * Distortion identification only. Default 'one': DepictQA's single-distortion test sets ask the
   * "ONE degradation" form with the short-answer tail, and the model answers with one name or "None".
   */
  distortionForm?: DistortionForm;
}

/** The task's built-in question as DepictQA asks it, short-answer tail included where the task has one. */
export function taskQuestion(task: TaskId, options: QuestionOptions, prompts: PromptData = PROMPTS): string {
  const { questions, short_answer_tail: tail } = prompts;
  const index = options.index ?? 0;
  const pick = <T>(list: readonly T[], name: string): T => {
    const item = Number.isInteger(index) ? list[index] : undefined;
    if (item === undefined) {
      throw new AppError('INTERNAL', `question ${index} of ${name} does not exist (it has ${list.length})`);
    }
    return item;
  };
  switch (task) {
    case 'description':
      return pick(questions.assessment_reasoning, 'assessment_reasoning');
    case 'comparison':
      return pick(questions.instant_rating_AB, 'instant_rating_AB') + tail;
    case 'reasoning':
      return pick(questions.comparison_reasoning, 'comparison_reasoning');
    case 'distortion': {
      const set = options.hasReference
        ? questions.distortion_identification_full_reference
        : questions.distortion_identification_no_reference;
      const name = `distortion_identification_${options.hasReference ? 'full' : 'no'}_reference`;
      return pick(set, name)[DISTORTION_FORM_INDEX[options.distortionForm ?? 'one']] + tail;
    }
  }
}

/** A typed question asked as a short-answer one (DepictQA's brief tasks end with this tail). */
export function withShortAnswerTail(question: string, prompts: PromptData = PROMPTS): string {
  return question.endsWith(prompts.short_answer_tail) ? question : question + prompts.short_answer_tail;
}

/**
 * BOS + the `kind` template with `question` in its place, each text chunk encoded on its own by `encodeChunk`
 * (the tokenizer's `encodeChunk`: special tokens split out, the checkpoint's dummy-prefix rule). BOS is merged
 * into the first text segment; every image chunk is its own segment. The question is inserted verbatim: a
 * `</s>` typed in it becomes EOS, as it did in DepictQA.
 */
export function assemblePrompt(
  kind: PromptKind,
  question: string,
  encodeChunk: (text: string) => readonly number[],
  prompts: PromptData = PROMPTS,
): PromptSegment[] {
  const segments: PromptSegment[] = [{ ids: [BOS_ID] }];
  for (const chunk of prompts.prompt_chunks[kind]) {
    if ('image' in chunk) {
      segments.push({ image: SLOT_OF_IMAGE[chunk.image] });
      continue;
    }
    // split/join, not String.replace, which would expand "$&"-style patterns typed in the question.
    const text = chunk.text.split(QUESTION_MARKER).join(question);
    const ids = [...encodeChunk(text)];
    const last = segments[segments.length - 1];
    if (last !== undefined && 'ids' in last) last.ids.push(...ids);
    else segments.push({ ids });
  }
  return segments;
}

/** Number of token positions the text segments take (images excluded). */
export function promptTextLength(segments: readonly PromptSegment[]): number {
  return segments.reduce((sum, segment) => sum + ('ids' in segment ? segment.ids.length : 0), 0);
}
