import { AppError } from '../errors.ts';
import { taskQuestion, withShortAnswerTail } from '../prompt/assemblePrompt.ts';
import { PROMPTS, type PromptData } from '../prompt/prompts.ts';
import { sha256Hex } from '../sha256.ts';
import { IMAGE_SLOTS, type ImageSlotId, type TaskId } from '../tasks.ts';
import type { QuestionChoice, QuestionDraw } from './generate.ts';

/** Longest question a user may type, in characters: far beyond any real question, well inside the context. */
export const MAX_QUESTION_CHARS = 2000;

/** How many built-in questions the task has (distortion identification: per reference presence). */
export function questionCount(task: TaskId, hasReference: boolean, prompts: PromptData = PROMPTS): number {
  const { questions } = prompts;
  switch (task) {
    case 'description':
      return questions.assessment_reasoning.length;
    case 'comparison':
      return questions.instant_rating_AB.length;
    case 'reasoning':
      return questions.comparison_reasoning.length;
    case 'distortion':
      return hasReference
        ? questions.distortion_identification_full_reference.length
        : questions.distortion_identification_no_reference.length;
  }
}

/** The task's built-in questions as the model is asked them, in the order of prompts.json. */
export function taskQuestions(task: TaskId, hasReference: boolean, prompts: PromptData = PROMPTS): string[] {
  return Array.from({ length: questionCount(task, hasReference, prompts) }, (_, index) => taskQuestion(task, { hasReference, index }, prompts));
}

/** Tasks whose answer is one short phrase: DepictQA asked them with the short-answer tail. */
function isBrief(task: TaskId): boolean {
  return task === 'comparison' || task === 'distortion';
}

export interface ResolvedQuestion {
  text: string;
  /** Position in the task's set; null for the user's own text. */
  index: number | null;
}

/**
 * The question of the set that these images get for this task: the SHA-256 of the task, the prompt form and each
 * slot's image SHA-256 (hex) picks it, so the same inputs always get the same question, and different images
 * spread over the set. `images` in slot order; the result is in [0, count).
 */
export async function questionIndexForImages(task: TaskId, hasReference: boolean, images: ReadonlyArray<readonly [ImageSlotId, string]>, count: number): Promise<number> {
  const key = ['depictqa-question', task, hasReference ? 'full-reference' : 'no-reference', ...images.map(([slot, sha]) => `${slot}=${sha}`)].join('\n');
  const digest = await sha256Hex(new TextEncoder().encode(key));
  return Math.floor((Number.parseInt(digest.slice(0, 8), 16) / 2 ** 32) * count);
}

/** The images' pick for ids by slot (as the engine and the page hold them), within the task's set for this prompt form. */
export function questionForImages(task: TaskId, hasReference: boolean, ids: Partial<Record<ImageSlotId, string>>): Promise<number> {
  const images = IMAGE_SLOTS.flatMap((slot) => (ids[slot] === undefined ? [] : [[slot, ids[slot]] as const]));
  return questionIndexForImages(task, hasReference, images, questionCount(task, hasReference));
}

/** Whether the choice names no question, so that one is picked from the set (by the images unless it says random). */
export function picksQuestion(choice: QuestionChoice | undefined): choice is { pick: QuestionDraw } | undefined {
  return choice === undefined || 'pick' in choice;
}

/**
 * The question to insert into the template: a built-in one by index, one picked from the set (`draw` ∈ [0, 1):
 * the images' pick or a random number), or the user's text. A brief task keeps DepictQA's short-answer tail on
 * the user's text too, so that the model still answers "Image A" / a distortion name.
 */
export function resolveQuestion(
  task: TaskId,
  hasReference: boolean,
  choice: QuestionChoice | undefined,
  draw: () => number = Math.random,
  prompts: PromptData = PROMPTS,
): ResolvedQuestion {
  if (choice !== undefined && 'text' in choice) {
    const text = choice.text.trim();
    if (text.length === 0) {
      throw new AppError('REQUEST_INVALID', 'The question is empty.', { hint: 'Type a question, or pick one of the built-in questions.' });
    }
    if (text.length > MAX_QUESTION_CHARS) {
      throw new AppError('REQUEST_INVALID', `The question is ${text.length} characters long; at most ${MAX_QUESTION_CHARS} are accepted.`, {
        hint: 'Shorten the question.',
      });
    }
    return { text: isBrief(task) ? withShortAnswerTail(text, prompts) : text, index: null };
  }
  const count = questionCount(task, hasReference, prompts);
  const index = picksQuestion(choice) ? Math.min(count - 1, Math.floor(draw() * count)) : choice.index;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new AppError('REQUEST_INVALID', `Question ${index} does not exist: the ${task} task has questions 0 to ${count - 1}.`, {
      hint: 'Pick one of the listed questions.',
    });
  }
  const distortionForm = choice !== undefined && 'index' in choice ? choice.distortionForm : undefined;
  const text = taskQuestion(task, { hasReference, index, ...(distortionForm === undefined ? {} : { distortionForm }) }, prompts);
  return { text, index };
}
