import { taskQuestion } from '../../core/prompt/assemblePrompt.ts';
import { PROMPTS } from '../../core/prompt/prompts.ts';
import type { TaskId } from '../../core/tasks.ts';

/** The task's built-in questions as the model is asked them, in the order of prompts.json. */
export function taskQuestions(task: TaskId, hasReference: boolean): string[] {
  const { questions } = PROMPTS;
  const count = {
    description: questions.assessment_reasoning.length,
    comparison: questions.instant_rating_AB.length,
    reasoning: questions.comparison_reasoning.length,
    distortion: (hasReference ? questions.distortion_identification_full_reference : questions.distortion_identification_no_reference).length,
  }[task];
  return Array.from({ length: count }, (_, index) => taskQuestion(task, { hasReference, index }));
}
