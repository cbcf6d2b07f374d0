/**
 * Writes src/core/prompt/fixtures/promptIds.json: the expected LLM input of every task, with and without a
 * reference image, for the first built-in question of the task, tokenized by the independent reference
 * (llama-tokenizer-js with the slow tokenizer's legacy splitting). The engine's tests compare against it.
 *
 *   npx tsx tools/tokenizer/makePromptFixture.ts
 *
 * It reads prompts.json itself rather than through src/core/prompt, so that the fixture also checks
 * `assemblePrompt`.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import prompts from '../../src/core/prompt/prompts.json';
import type { PromptKind } from '../../src/core/prompt/prompts.ts';
import { comparesAB } from '../../src/core/tasks.ts';
import { referenceEncodeText } from './llamaReference.ts';

export const PROMPT_FIXTURE_PATH = fileURLToPath(new URL('../../src/core/prompt/fixtures/promptIds.json', import.meta.url));

type Segment = { ids: number[] } | { image: 'reference' | 'a' | 'b' };

export interface PromptFixtureCase {
  task: 'description' | 'comparison' | 'reasoning' | 'distortion';
  hasReference: boolean;
  kind: PromptKind;
  question: string;
  segments: Segment[];
}

export interface PromptFixture {
  about: string;
  cases: PromptFixtureCase[];
}

function question(task: PromptFixtureCase['task'], hasReference: boolean): string {
  const q = prompts.questions;
  const tail = prompts.short_answer_tail;
  if (task === 'description') return q.assessment_reasoning[0] ?? '';
  if (task === 'comparison') return (q.instant_rating_AB[0] ?? '') + tail;
  if (task === 'reasoning') return q.comparison_reasoning[0] ?? '';
  const set = hasReference ? q.distortion_identification_full_reference : q.distortion_identification_no_reference;
  // The "ONE degradation" form, as DepictQA's single-distortion tests ask it.
  return (set[0]?.[1] ?? '') + tail;
}

export function promptFixture(): PromptFixture {
  const cases: PromptFixtureCase[] = [];
  for (const task of ['description', 'comparison', 'reasoning', 'distortion'] as const) {
    for (const hasReference of [true, false]) {
      const kind = `${comparesAB(task) ? 'compare' : 'single'}_${hasReference ? 'full' : 'no'}_reference` as const;
      const text = question(task, hasReference);
      const segments: Segment[] = [];
      let pending = [1]; // BOS
      for (const chunk of prompts.prompt_chunks[kind]) {
        if ('image' in chunk && chunk.image !== undefined) {
          if (pending.length > 0) segments.push({ ids: pending });
          pending = [];
          segments.push({ image: chunk.image === 'reference' ? 'reference' : chunk.image === 'A' ? 'a' : 'b' });
        } else if ('text' in chunk && chunk.text !== undefined) {
          pending.push(...referenceEncodeText(chunk.text.split('{question}').join(text)));
        }
      }
      if (pending.length > 0) segments.push({ ids: pending });
      cases.push({ task, hasReference, kind, question: text, segments });
    }
  }
  return {
    about:
      'Expected prompt ids (BOS + text chunks, image slots between) for the first question of each task, ' +
      'from llama-tokenizer-js with legacy LlamaTokenizer splitting. Written by tools/tokenizer/makePromptFixture.ts.',
    cases,
  };
}

/** JSON with each id list on one line, so the file stays short and diffs stay readable. */
export function formatPromptFixture(fixture: PromptFixture): string {
  return `${JSON.stringify(fixture, null, 2).replace(/\[\s+(\d[\d,\s]*?)\s+\]/gu, (_, ids: string) => `[${ids.split(/,\s*/u).join(', ')}]`)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const fixture = promptFixture();
  await writeFile(PROMPT_FIXTURE_PATH, formatPromptFixture(fixture));
  console.log(`wrote ${PROMPT_FIXTURE_PATH} (${fixture.cases.length} cases)`);
}
