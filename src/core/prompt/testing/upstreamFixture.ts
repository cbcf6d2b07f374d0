import fixtureJson from '../fixtures/upstreamTokenizer.json' with { type: 'json' };
import { comparesAB, type ImageSlotId, type TaskId } from '../../tasks.ts';
import { PROMPTS, type PromptImage, type PromptKind } from '../prompts.ts';
import { BOS_ID } from '../specialTokens.ts';

/**
 * fixtures/upstreamTokenizer.json (written by tools/oracles/tokenizer/makeUpstreamFixture.ts with transformers 4.35.0): what
 * DepictQA's own tokenizer makes of every prompt chunk, question and answer, for both values of `legacy`.
 */

export interface UpstreamQuestion {
  task: TaskId | 'typed' | 're-ask';
  text: string;
  index?: number;
  form?: 'open' | 'one' | 'two';
  hasReference?: boolean;
  /** Ids of the last chunk (after the last image) when asked about A and B, or about one image. */
  compare?: number[];
  single?: number[];
}

export interface UpstreamTokenizer {
  legacy: boolean;
  /** The text chunks before and between the images, in order. */
  kinds: Record<PromptKind, Array<{ text: string; ids: number[] }>>;
  questions: UpstreamQuestion[];
  /** Answers with the trained ending "\n </s>": encoded, and decoded back as `generate` does. */
  answers: Array<{ text: string; ids: number[]; decoded: string }>;
  decodes: Array<{ ids: number[]; decoded: string }>;
}

export interface UpstreamFixture {
  library: { transformers: string; sentencepiece: string };
  /** What Vicuna's tokenizer_config.json says. */
  configuredLegacy: boolean;
  tokenizers: UpstreamTokenizer[];
}

export const UPSTREAM_FIXTURE = fixtureJson as UpstreamFixture;

export function upstreamTokenizer(legacy: boolean): UpstreamTokenizer {
  const found = UPSTREAM_FIXTURE.tokenizers.find((tokenizer) => tokenizer.legacy === legacy);
  if (found === undefined) throw new Error(`the upstream fixture has no legacy=${legacy} tokenizer`);
  return found;
}

type Segment = { ids: number[] } | { image: ImageSlotId };
const SLOT: Record<PromptImage, ImageSlotId> = { reference: 'reference', A: 'a', B: 'b' };

/** The whole prompt upstream builds for `question` in `kind`: BOS, chunks with image slots between, the query. */
export function upstreamPrompt(tokenizer: UpstreamTokenizer, kind: PromptKind, question: UpstreamQuestion): Segment[] {
  const query = kind.startsWith('compare') ? question.compare : question.single;
  if (query === undefined) throw new Error(`the upstream fixture does not ask "${question.text}" in ${kind}`);
  const texts = [...tokenizer.kinds[kind].map((chunk) => chunk.ids), query];
  const images = PROMPTS.prompt_chunks[kind].flatMap((chunk) => ('image' in chunk ? [SLOT[chunk.image]] : []));
  const segments: Segment[] = [{ ids: [BOS_ID, ...texts[0]!] }];
  images.forEach((image, i) => segments.push({ image }, { ids: texts[i + 1]! }));
  return segments;
}

export interface UpstreamPromptCase {
  task: TaskId;
  hasReference: boolean;
  kind: PromptKind;
  question: string;
  segments: Segment[];
}

/** The prompt of each task's first built-in question (distortion: its "ONE" form), with and without a reference. */
export function upstreamTaskPrompts(legacy: boolean): UpstreamPromptCase[] {
  const tokenizer = upstreamTokenizer(legacy);
  const cases: UpstreamPromptCase[] = [];
  for (const task of ['description', 'comparison', 'reasoning', 'distortion'] as const) {
    for (const hasReference of [true, false]) {
      const question = tokenizer.questions.find(
        (q) => q.task === task && q.index === 0 && (task !== 'distortion' || (q.form === 'one' && q.hasReference === hasReference)),
      )!;
      const kind = `${comparesAB(task) ? 'compare' : 'single'}_${hasReference ? 'full' : 'no'}_reference` as const;
      cases.push({ task, hasReference, kind, question: question.text, segments: upstreamPrompt(tokenizer, kind, question) });
    }
  }
  return cases;
}
