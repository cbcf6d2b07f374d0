import promptsJson from './prompts.json';
import { AppError } from '../errors.ts';

/**
 * DepictQA's prompt data (`prompts.json`, taken from the upstream code; see the model contract): the four
 * prompt templates as ordered text and image chunks, and the question sets of the tasks.
 * snake_case keys mirror the file.
 */

export const PROMPT_KINDS = [
  'compare_full_reference',
  'compare_no_reference',
  'single_full_reference',
  'single_no_reference',
] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];

/** Image slots as prompts.json names them. */
export type PromptImage = 'reference' | 'A' | 'B';
export type PromptChunk = { text: string } | { image: PromptImage };

/** [open question, "ONE distortion" form, "TWO distortions" form]. */
export type DistortionQuestion = readonly [string, string, string];

export interface PromptData {
  short_answer_tail: string;
  questions: {
    comparison_reasoning: readonly string[];
    assessment_reasoning: readonly string[];
    instant_rating_AB: readonly string[];
    distortion_identification_full_reference: readonly DistortionQuestion[];
    distortion_identification_no_reference: readonly DistortionQuestion[];
  };
  prompt_chunks: Record<PromptKind, readonly PromptChunk[]>;
}

/** Where the question goes in the last text chunk of every template. */
export const QUESTION_MARKER = '{question}';

function broken(problem: string): AppError {
  return new AppError('INTERNAL', `prompts.json: ${problem}`);
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string')) {
    throw broken(`${where} is not a non-empty list of strings`);
  }
  return value;
}

/** Checks the shape the prompt code relies on, so that a bad edit of the data fails at load, by name. */
export function parsePromptData(json: unknown): PromptData {
  const data = json as Record<string, unknown>;
  const questions = data.questions as Record<string, unknown> | undefined;
  const chunks = data.prompt_chunks as Record<string, unknown> | undefined;
  if (typeof data.short_answer_tail !== 'string' || questions === undefined || chunks === undefined) {
    throw broken('short_answer_tail, questions or prompt_chunks is missing');
  }
  const triples = (key: string): DistortionQuestion[] => {
    const list = questions[key];
    if (!Array.isArray(list) || list.length === 0) throw broken(`questions.${key} is not a non-empty list`);
    return list.map((entry, i) => {
      const [open, one, two, ...rest] = strings(entry, `questions.${key}[${i}]`);
      if (open === undefined || one === undefined || two === undefined || rest.length > 0) {
        throw broken(`questions.${key}[${i}] is not a triple`);
      }
      return [open, one, two] as const;
    });
  };
  const promptChunks = {} as Record<PromptKind, PromptChunk[]>;
  for (const kind of PROMPT_KINDS) {
    const list = chunks[kind];
    if (!Array.isArray(list) || list.length === 0) throw broken(`prompt_chunks.${kind} is not a non-empty list`);
    promptChunks[kind] = list.map((chunk: Record<string, unknown>, i): PromptChunk => {
      if (typeof chunk.text === 'string') return { text: chunk.text };
      if (chunk.image === 'reference' || chunk.image === 'A' || chunk.image === 'B') return { image: chunk.image };
      throw broken(`prompt_chunks.${kind}[${i}] is neither {text} nor {image: reference|A|B}`);
    });
    const withQuestion = promptChunks[kind].filter((chunk) => 'text' in chunk && chunk.text.includes(QUESTION_MARKER));
    if (withQuestion.length !== 1) throw broken(`prompt_chunks.${kind} must hold ${QUESTION_MARKER} exactly once`);
  }
  return {
    short_answer_tail: data.short_answer_tail,
    questions: {
      comparison_reasoning: strings(questions.comparison_reasoning, 'questions.comparison_reasoning'),
      assessment_reasoning: strings(questions.assessment_reasoning, 'questions.assessment_reasoning'),
      instant_rating_AB: strings(questions.instant_rating_AB, 'questions.instant_rating_AB'),
      distortion_identification_full_reference: triples('distortion_identification_full_reference'),
      distortion_identification_no_reference: triples('distortion_identification_no_reference'),
    },
    prompt_chunks: promptChunks,
  };
}

export const PROMPTS: PromptData = parsePromptData(promptsJson);
