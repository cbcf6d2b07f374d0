import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatPromptFixture, PROMPT_FIXTURE_PATH, promptFixture } from './makePromptFixture.ts';

describe('prompt ids fixture', () => {
  it('is what makePromptFixture.ts writes today (rerun it after changing prompts.json)', async () => {
    expect(await readFile(PROMPT_FIXTURE_PATH, 'utf8')).toBe(formatPromptFixture(promptFixture()));
  });

  it('covers the four tasks with and without a reference, all four prompt kinds', () => {
    const { cases } = promptFixture();
    expect(cases.map((c) => `${c.task}/${c.hasReference}/${c.kind}`)).toEqual([
      'description/true/single_full_reference',
      'description/false/single_no_reference',
      'comparison/true/compare_full_reference',
      'comparison/false/compare_no_reference',
      'reasoning/true/compare_full_reference',
      'reasoning/false/compare_no_reference',
      'distortion/true/single_full_reference',
      'distortion/false/single_no_reference',
    ]);
    const comparison = cases[2];
    expect(comparison?.question).toBe(
      'Which image do you believe has better overall quality: Image A or Image B? Answer the question using a single word or phrase.',
    );
    expect(comparison?.segments.map((s) => ('image' in s ? s.image : 'ids'))).toEqual(['ids', 'reference', 'ids', 'a', 'ids', 'b', 'ids']);
  });
});
