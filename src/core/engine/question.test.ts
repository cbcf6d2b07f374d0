import { describe, expect, it } from 'vitest';
import { PROMPTS } from '../prompt/prompts.ts';
import { MAX_QUESTION_CHARS, questionCount, resolveQuestion, taskQuestions } from './question.ts';

const TAIL = PROMPTS.short_answer_tail;

describe('resolveQuestion', () => {
  it('picks a built-in question by index, with the short-answer tail on brief tasks', () => {
    expect(resolveQuestion('description', false, { index: 1 })).toEqual({ text: PROMPTS.questions.assessment_reasoning[1], index: 1 });
    expect(resolveQuestion('comparison', true, { index: 0 })).toEqual({ text: PROMPTS.questions.instant_rating_AB[0] + TAIL, index: 0 });
    const [open, one] = PROMPTS.questions.distortion_identification_no_reference[2]!;
    expect(resolveQuestion('distortion', false, { index: 2 }).text).toBe(one + TAIL);
    expect(resolveQuestion('distortion', false, { index: 2, distortionForm: 'open' }).text).toBe(open + TAIL);
  });

  it('draws a random question of the set when none is chosen', () => {
    const count = questionCount('reasoning', true);
    expect(resolveQuestion('reasoning', true, undefined, () => 0).index).toBe(0);
    expect(resolveQuestion('reasoning', true, undefined, () => 0.999999).index).toBe(count - 1);
    expect(resolveQuestion('reasoning', true, undefined, () => 0.5).text).toBe(PROMPTS.questions.comparison_reasoning[Math.floor(count / 2)]);
  });

  it('keeps the user’s text, adding the tail only where the task is brief and the text lacks it', () => {
    expect(resolveQuestion('reasoning', false, { text: '  Which is sharper? ' })).toEqual({ text: 'Which is sharper?', index: null });
    expect(resolveQuestion('comparison', false, { text: 'Which is sharper?' }).text).toBe(`Which is sharper?${TAIL}`);
    expect(resolveQuestion('comparison', false, { text: `Which is sharper?${TAIL}` }).text).toBe(`Which is sharper?${TAIL}`);
  });

  it('refuses an index outside the set, an empty text and an overlong one', () => {
    const count = questionCount('description', false);
    expect(() => resolveQuestion('description', false, { index: count })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => resolveQuestion('description', false, { index: 0.5 })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => resolveQuestion('description', false, { text: ' \n' })).toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => resolveQuestion('description', false, { text: 'x'.repeat(MAX_QUESTION_CHARS + 1) })).toThrow(/at most 2000/);
  });
});

describe('taskQuestions', () => {
  it('lists the set of each task as asked, short-answer tail included where the task has one', () => {
    expect(taskQuestions('description', false)).toEqual(PROMPTS.questions.assessment_reasoning);
    const comparison = taskQuestions('comparison', true);
    expect(comparison).toHaveLength(PROMPTS.questions.instant_rating_AB.length);
    expect(comparison[0]).toBe(PROMPTS.questions.instant_rating_AB[0] + PROMPTS.short_answer_tail);
    // Distortion identification has its own sets with and without a reference ("ONE distortion" form).
    expect(taskQuestions('distortion', true)[1]).toBe(PROMPTS.questions.distortion_identification_full_reference[1]![1] + PROMPTS.short_answer_tail);
    expect(taskQuestions('distortion', false)).toHaveLength(PROMPTS.questions.distortion_identification_no_reference.length);
  });
});
