import { describe, expect, it } from 'vitest';
import { PROMPTS } from '../prompt/prompts.ts';
import { MAX_QUESTION_CHARS, picksQuestion, questionCount, questionIndexForImages, resolveQuestion, taskQuestions } from './question.ts';

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

/** A deterministic stand-in for an image's SHA-256: 64 hex digits from a seeded generator. */
function fakeSha(seed: number): string {
  let state = seed * 2654435761 + 1;
  let hex = '';
  while (hex.length < 64) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    hex += (state >>> 8).toString(16).padStart(6, '0');
  }
  return hex.slice(0, 64);
}

describe('questionIndexForImages', () => {
  const ref = fakeSha(1);
  const a = fakeSha(2);
  const b = fakeSha(3);

  it('gives the same inputs the same question, and depends on the task, the images and their slots', async () => {
    const count = questionCount('reasoning', true);
    const pick = (task: 'reasoning' | 'comparison', images: Array<['reference' | 'a' | 'b', string]>) => questionIndexForImages(task, true, images, count);
    const first = await pick('reasoning', [['reference', ref], ['a', a], ['b', b]]);
    expect(await pick('reasoning', [['reference', ref], ['a', a], ['b', b]])).toBe(first);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(count);
    // Over a few changed inputs, not every pick can equal the first (each is one of 20).
    const others = await Promise.all([
      pick('comparison', [['reference', ref], ['a', a], ['b', b]]),
      pick('reasoning', [['reference', ref], ['a', b], ['b', a]]),
      pick('reasoning', [['reference', fakeSha(4)], ['a', a], ['b', b]]),
      pick('reasoning', [['reference', ref], ['a', a], ['b', fakeSha(5)]]),
      pick('reasoning', [['reference', ref], ['a', fakeSha(6)], ['b', b]]),
    ]);
    expect(others.some((index) => index !== first)).toBe(true);
  });

  it('spreads different images over the whole set, about evenly', async () => {
    for (const [task, hasReference] of [['description', false], ['distortion', true]] as const) {
      const count = questionCount(task, hasReference);
      const tally = new Array<number>(count).fill(0);
      const draws = 100 * count;
      for (let i = 0; i < draws; i++) tally[await questionIndexForImages(task, hasReference, [['a', fakeSha(1000 + i)]], count)]!++;
      // 100 expected per question: a fair pick stays within 55–145 (over 4.5 standard deviations) for every one.
      expect(Math.min(...tally), task).toBeGreaterThanOrEqual(55);
      expect(Math.max(...tally), task).toBeLessThanOrEqual(145);
      const chiSquare = tally.reduce((sum, n) => sum + (n - 100) ** 2 / 100, 0);
      // χ² with 19–24 degrees of freedom: above 60 is a p < 1e-4 event for a fair pick.
      expect(chiSquare, task).toBeLessThan(60);
    }
  });

  it('is what a request without a question gets; a random draw and a named question are not picks by the images', () => {
    expect(picksQuestion(undefined)).toBe(true);
    expect(picksQuestion({ pick: 'images' })).toBe(true);
    expect(picksQuestion({ pick: 'random' })).toBe(true);
    expect(picksQuestion({ index: 0 })).toBe(false);
    expect(picksQuestion({ text: 'Is it sharp?' })).toBe(false);
    expect(resolveQuestion('reasoning', true, { pick: 'random' }, () => 0.999999).index).toBe(questionCount('reasoning', true) - 1);
  });
});
