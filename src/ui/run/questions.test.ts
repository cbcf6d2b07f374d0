import { describe, expect, it } from 'vitest';
import { PROMPTS } from '../../core/prompt/prompts.ts';
import { folderLabel, folderSource, modelUrlFromQuery } from '../model/loadModel.ts';
import { taskQuestions } from './questions.ts';

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

describe('model sources', () => {
  it('keeps the folder paths beside the files, since webkitRelativePath does not reach the worker', () => {
    const file = new File(['{}'], 'manifest.json');
    Object.defineProperty(file, 'webkitRelativePath', { value: 'tiny-bundle/manifest.json' });
    expect(folderSource([file])).toEqual({ kind: 'files', files: [{ path: 'tiny-bundle/manifest.json', file }] });
    expect(folderLabel([file])).toBe('tiny-bundle');
  });

  it('reads the default URL from ?model= and invents none', () => {
    expect(modelUrlFromQuery('?model=https%3A%2F%2Fexample.org%2Fbundle%2F')).toBe('https://example.org/bundle/');
    expect(modelUrlFromQuery('?other=1')).toBe('');
    // A deployment's built-in bundle URL is the default; the query parameter still wins.
    expect(modelUrlFromQuery('?other=1', 'https://example.org/built/')).toBe('https://example.org/built/');
    expect(modelUrlFromQuery('?model=https%3A%2F%2Fexample.org%2Fq%2F', 'https://example.org/built/')).toBe('https://example.org/q/');
  });
});
