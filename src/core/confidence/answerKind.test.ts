import { describe, expect, it } from 'vitest';
import { asksForShortAnswer, confidenceKind, countSpaceSeparated, isBriefAnswer, planConfidence, SHORT_ANSWER_TAIL, taskFamily } from './answerKind.ts';

describe('brief or detailed', () => {
  it('counts pieces between single spaces, as Python str.split(" ") does', () => {
    expect(countSpaceSeparated('Image A')).toBe(2);
    expect(countSpaceSeparated('Image A\n ')).toBe(3);
    expect(countSpaceSeparated('a  b')).toBe(3);
    expect(countSpaceSeparated('')).toBe(1);
    expect(countSpaceSeparated('one\ntwo')).toBe(1);
  });

  it('calls 21 pieces brief and 22 detailed', () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    expect(isBriefAnswer(words(21))).toBe(true);
    expect(isBriefAnswer(words(22))).toBe(false);
    // The trailing "\n " of a decoded answer is one more piece.
    expect(isBriefAnswer(`${words(21)}\n `)).toBe(false);
  });

  it('picks the rule by task family and length', () => {
    expect(taskFamily('comparison')).toBe('compare');
    expect(taskFamily('reasoning')).toBe('compare');
    expect(taskFamily('description')).toBe('single');
    expect(taskFamily('distortion')).toBe('single');
    expect(confidenceKind('compare', 'Image A')).toBe('compare-brief');
    expect(confidenceKind('single', 'noise')).toBe('single-brief');
    expect(confidenceKind('compare', 'x '.repeat(30))).toBe('detail');
  });
});

describe('asking again with the short-answer tail', () => {
  it('recognises the six markers anywhere, case-sensitively', () => {
    expect(asksForShortAnswer('Which is better? Answer the question using a single word or phrase.')).toBe(true);
    expect(asksForShortAnswer('Name it in one word.')).toBe(true);
    expect(asksForShortAnswer('Describe it with a phrase')).toBe(true);
    // "a word" also matches inside "a wordy" and "Say a word": upstream's plain substring test.
    expect(asksForShortAnswer('Give a wordy answer')).toBe(true);
    expect(asksForShortAnswer('Answer in a Single Word')).toBe(false);
    expect(asksForShortAnswer('Which image is better?')).toBe(false);
  });

  it('plans a second question only for brief answers to questions without a marker', () => {
    expect(SHORT_ANSWER_TAIL).toBe(' Answer the question using a single word or phrase.');
    expect(planConfidence('compare', 'Which image is better?', 'Image A')).toEqual({
      kind: 'compare-brief',
      reask: 'Which image is better? Answer the question using a single word or phrase.',
    });
    expect(planConfidence('single', `What is the distortion?${SHORT_ANSWER_TAIL}`, 'noise')).toEqual({ kind: 'single-brief', reask: null });
    expect(planConfidence('single', 'Describe the quality.', 'word '.repeat(40))).toEqual({ kind: 'detail' });
  });
});
