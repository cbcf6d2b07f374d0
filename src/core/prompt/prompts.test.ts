import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import promptsJson from './prompts.json';
import { parsePromptData, PROMPT_KINDS, PROMPTS } from './prompts.ts';

const LOCAL = fileURLToPath(new URL('./prompts.json', import.meta.url));
// The project's shared folder sits beside the repository (in CI too).
const SHARED = fileURLToPath(new URL('../../../../shared/depictqa/prompts.json', import.meta.url));
const sharedMissing = existsSync(SHARED) ? undefined : `${SHARED} is not there`;
if (sharedMissing !== undefined) console.warn(`skipping the prompts.json copy check: ${sharedMissing}`);

describe('prompts.json', () => {
  it.skipIf(sharedMissing !== undefined)('is a byte-for-byte copy of the shared model contract’s file', () => {
    expect(readFileSync(LOCAL).equals(readFileSync(SHARED))).toBe(true);
  });

  it('has the four templates with their image slots in order and the question in the last text chunk', () => {
    const images = Object.fromEntries(
      PROMPT_KINDS.map((kind) => [kind, PROMPTS.prompt_chunks[kind].flatMap((chunk) => ('image' in chunk ? [chunk.image] : []))]),
    );
    expect(images).toEqual({
      compare_full_reference: ['reference', 'A', 'B'],
      compare_no_reference: ['A', 'B'],
      single_full_reference: ['reference', 'A'],
      single_no_reference: ['A'],
    });
    for (const kind of PROMPT_KINDS) {
      const last = PROMPTS.prompt_chunks[kind].at(-1);
      expect(last !== undefined && 'text' in last && last.text.endsWith('USER: {question}\n   ASSISTANT: ')).toBe(true);
    }
    expect(PROMPTS.short_answer_tail).toBe(' Answer the question using a single word or phrase.');
    expect(PROMPTS.questions.distortion_identification_no_reference).toHaveLength(24);
  });

  it('names the broken part when the data is malformed', () => {
    const broken = (edit: (data: Record<string, unknown>) => void): unknown => {
      const data = structuredClone(promptsJson) as unknown as Record<string, unknown>;
      edit(data);
      return () => parsePromptData(data);
    };
    expect(broken((d) => delete d.short_answer_tail)).toThrow(/prompts\.json: short_answer_tail, questions or prompt_chunks is missing/);
    expect(
      broken((d) => ((d.prompt_chunks as Record<string, unknown[]>).single_no_reference = [{ text: 'no question here' }])),
    ).toThrow(/prompt_chunks\.single_no_reference must hold \{question\} exactly once/);
    expect(broken((d) => ((d.prompt_chunks as Record<string, unknown[]>).compare_no_reference = [{ image: 'C' }]))).toThrow(
      /prompt_chunks\.compare_no_reference\[0\] is neither/,
    );
    expect(
      broken((d) => ((d.questions as Record<string, unknown>).distortion_identification_full_reference = [['only', 'two']])),
    ).toThrow(/distortion_identification_full_reference\[0\] is not a triple/);
  });
});
