import { PROMPTS } from '../prompt/prompts.ts';
import type { TaskId } from '../tasks.ts';
import type { ConfidenceKind, TaskFamily } from './types.ts';

/**
 * Which confidence rule an answer gets, as DepictQA decides it (`cal_confidence`): answers of fewer than 22
 * "words" are brief (in training the longest brief answer had 19 words, the shortest detailed one 24), the
 * others detailed. Words are counted as Python's `text.split(" ")` counts them: pieces between single spaces,
 * so two spaces in a row add an empty piece, and upstream's text, the decoded answer before any trimming,
 * usually ends in "\n " and so counts one piece more than its words.
 */
export const BRIEF_WORD_LIMIT = 22;

/** Python's `len(text.split(" "))`. */
export function countSpaceSeparated(text: string): number {
  return text.split(' ').length;
}

export function isBriefAnswer(text: string): boolean {
  return countSpaceSeparated(text) < BRIEF_WORD_LIMIT;
}

/** Upstream picks the brief rule by task type: `quality_single*` or `quality_compare*`. */
export function taskFamily(task: TaskId): TaskFamily {
  return task === 'comparison' || task === 'reasoning' ? 'compare' : 'single';
}

export function confidenceKind(family: TaskFamily, answerText: string): ConfidenceKind {
  if (!isBriefAnswer(answerText)) return 'detail';
  return family === 'compare' ? 'compare-brief' : 'single-brief';
}

/** The phrases that mark a question as already asking for a short answer (upstream's `single_q_tail_list`). */
export const SHORT_ANSWER_MARKERS = ['single word', 'one word', 'a word', 'single phrase', 'one phrase', 'a phrase'] as const;

/** " Answer the question using a single word or phrase." (upstream's `single_q_tail`). */
export const SHORT_ANSWER_TAIL: string = PROMPTS.short_answer_tail;

/** Upstream's test is a case-sensitive substring match anywhere in the question. */
export function asksForShortAnswer(question: string): boolean {
  return SHORT_ANSWER_MARKERS.some((marker) => question.includes(marker));
}

/**
 * What a brief answer needs before its confidence can be computed. Upstream scores a brief answer only when its
 * question asked for a short answer; otherwise it asks again with the tail appended (same images, same settings)
 * and reports the confidence of that second answer, which goes through the same rules (and so is scored as
 * detailed if it comes back with 22 pieces or more).
 */
export type ConfidencePlan =
  | { kind: 'detail' }
  | { kind: 'single-brief' | 'compare-brief'; reask: null }
  | { kind: 'single-brief' | 'compare-brief'; reask: string };

export function planConfidence(family: TaskFamily, question: string, answerText: string): ConfidencePlan {
  const kind = confidenceKind(family, answerText);
  if (kind === 'detail') return { kind };
  return { kind, reask: asksForShortAnswer(question) ? null : question + SHORT_ANSWER_TAIL };
}
