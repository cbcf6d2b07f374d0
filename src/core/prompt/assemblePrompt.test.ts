import llamaTokenizer from 'llama-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { assemblePrompt, promptKindFor, promptTextLength, taskQuestion, withShortAnswerTail } from './assemblePrompt.ts';
import { PROMPTS } from './prompts.ts';
import { upstreamTaskPrompts } from './testing/upstreamFixture.ts';
import { createTextTokenizer } from './textTokenizer.ts';

/** Vicuna's tokenizer (legacy: false) over the independent LLaMA BPE (llama-tokenizer-js, real vocabulary). */
const tokenizer = createTextTokenizer((text) => llamaTokenizer.encode(text, false, false), (id) => llamaTokenizer.vocabById[id], false);
const encodeChunk = tokenizer.encodeChunk;

describe('promptKindFor', () => {
  it('picks compare kinds for comparison and reasoning, single kinds otherwise; the reference picks full_reference', () => {
    const kinds = (['description', 'comparison', 'reasoning', 'distortion'] as const).map((task) => [
      promptKindFor(task, true),
      promptKindFor(task, false),
    ]);
    expect(kinds).toEqual([
      ['single_full_reference', 'single_no_reference'],
      ['compare_full_reference', 'compare_no_reference'],
      ['compare_full_reference', 'compare_no_reference'],
      ['single_full_reference', 'single_no_reference'],
    ]);
  });
});

describe('taskQuestion', () => {
  it('asks reasoning questions as they are and brief ones with the short-answer tail', () => {
    const tail = PROMPTS.short_answer_tail;
    expect(taskQuestion('description', { hasReference: false, index: 2 })).toBe(PROMPTS.questions.assessment_reasoning[2]);
    expect(taskQuestion('reasoning', { hasReference: true })).toBe(PROMPTS.questions.comparison_reasoning[0]);
    expect(taskQuestion('comparison', { hasReference: true, index: 19 })).toBe(PROMPTS.questions.instant_rating_AB[19] + tail);
    expect(taskQuestion('distortion', { hasReference: true, index: 1 })).toBe(
      'What ONE distortion is most apparent in the evaluated image relative to the reference?' + tail,
    );
    expect(taskQuestion('distortion', { hasReference: false, index: 1, distortionForm: 'open' })).toBe(
      'What distortion(s) are most apparent in the evaluated image?' + tail,
    );
    expect(taskQuestion('distortion', { hasReference: false, distortionForm: 'two' })).toBe(
      'What are the primary TWO degradations observed in the evaluated image?' + tail,
    );
  });

  it('refuses a question number the set does not have', () => {
    expect(() => taskQuestion('distortion', { hasReference: false, index: 24 })).toThrow(
      /question 24 of distortion_identification_no_reference does not exist \(it has 24\)/,
    );
    expect(() => taskQuestion('comparison', { hasReference: false, index: 1.5 })).toThrow(/question 1.5/);
  });

  it('adds the tail to a typed question once', () => {
    const asked = withShortAnswerTail('Which is sharper, Image A or Image B?');
    expect(asked).toBe(`Which is sharper, Image A or Image B?${PROMPTS.short_answer_tail}`);
    expect(withShortAnswerTail(asked)).toBe(asked);
  });
});

describe('assemblePrompt', () => {
  it('gives upstream’s ids for every task’s question, with and without a reference', () => {
    for (const { task, hasReference, kind, question, segments } of upstreamTaskPrompts(false)) {
      expect(promptKindFor(task, hasReference)).toBe(kind);
      expect(taskQuestion(task, { hasReference })).toBe(question);
      expect(assemblePrompt(kind, question, encodeChunk)).toEqual(segments);
    }
  });

  it('starts with BOS, puts image slots between text segments, ends with "ASSISTANT: "', () => {
    const segments = assemblePrompt('compare_no_reference', 'Q?', encodeChunk);
    expect(segments.map((s) => ('image' in s ? s.image : 'ids'))).toEqual(['ids', 'a', 'ids', 'b', 'ids']);
    const first = segments[0];
    const last = segments.at(-1);
    expect(first !== undefined && 'ids' in first && first.ids.slice(0, 3)).toEqual([1, 319, 13563]); // <s> ▁A ▁chat
    // ... ▁ASS IST ANT : ▁  (the trailing space of "ASSISTANT: " is its own ▁)
    expect(last !== undefined && 'ids' in last && last.ids.slice(-5)).toEqual([1799, 9047, 13566, 29901, 29871]);
    expect(promptTextLength(segments)).toBe(segments.reduce((n, s) => n + ('ids' in s ? s.ids.length : 0), 0));
  });

  it('inserts a typed question verbatim, "$&" included; a typed </s> becomes EOS as in DepictQA', () => {
    const text = (question: string): number[] => {
      const last = assemblePrompt('single_no_reference', question, encodeChunk).at(-1);
      return last !== undefined && 'ids' in last ? last.ids : [];
    };
    const dollar = text('Cost $& $1?');
    expect(llamaTokenizer.decode(dollar, false, true)).toContain('USER: Cost $& $1?\n');
    expect(text('a </s> b')).toContain(2);
    expect(text('a </s> b').filter((id) => id === 2)).toHaveLength(2); // the template's own </s> and the typed one
  });
});
