import { compareBriefConfidence, singleBriefConfidence } from '../../core/confidence/briefConfidence.ts';
import { confidenceKind, planConfidence, taskFamily } from '../../core/confidence/answerKind.ts';
import { detailConfidence, type EmbedTexts } from '../../core/confidence/detailConfidence.ts';
import type { ConfidenceKind } from '../../core/confidence/types.ts';
import { type ConfidenceReport, type ConfidenceSource, NEEDS_SENTENCE_MODEL, type ReaskedAnswer } from '../../core/engine/confidence.ts';
import type { FinishedAnswerTokens } from '../../core/engine/generate.ts';
import type { TaskId } from '../../core/tasks.ts';
import type { GeneratedAnswer } from './generateAnswer.ts';

export interface ConfidenceContext {
  task: TaskId;
  /** The question as it was inserted into the prompt. */
  question: string;
  answer: GeneratedAnswer;
  /** Asks `question` about the same images with the same settings; the prompt's cached prefix is reused. */
  reask: (question: string) => Promise<GeneratedAnswer>;
  /** The tokenizer's decode, special tokens skipped. */
  decode: (ids: number[]) => string;
  /** The sentence embedder's batch call; null when none is loaded. */
  embed: EmbedTexts | null;
}

/**
 * DepictQA's confidence of an answer (upstream `cal_confidence`): detailed answers by token importance (when the
 * sentence embedder is loaded), brief ones by token probabilities, after asking again with the short-answer tail
 * when the question lacked one. The second answer goes through the same rules; its question has the tail, so it
 * is never asked a third time. Null when the second answer was cancelled.
 */
export async function answerConfidence(context: ConfidenceContext): Promise<ConfidenceReport | null> {
  const family = taskFamily(context.task);
  // Upstream counts words in the decoded answer before any trimming.
  const plan = planConfidence(family, context.question, context.answer.rawText);
  if (plan.kind === 'detail' || plan.reask === null) return rule(plan.kind, context.answer, 'answer', context);
  const second = await context.reask(plan.reask);
  if (second.stopReason === 'cancelled') return null;
  const reask: ReaskedAnswer = { question: plan.reask, rawText: second.rawText, ids: second.ids, probabilities: second.probabilities };
  const report = await rule(confidenceKind(family, second.rawText), second, 're-ask', context);
  return { ...report, reask };
}

async function rule(kind: ConfidenceKind, answer: GeneratedAnswer, source: ConfidenceSource, context: ConfidenceContext): Promise<ConfidenceReport> {
  const tokens = { ids: answer.ids, probabilities: answer.probabilities };
  const decodeOne = (id: number) => context.decode([id]);
  switch (kind) {
    case 'single-brief': {
      const result = singleBriefConfidence(tokens, decodeOne);
      if (result === null) return { kind, value: null, source, reason: 'the answer has no tokens to average', tokens: [] };
      return { kind, value: result.value, source, tokens: result.tokens };
    }
    case 'compare-brief': {
      const result = compareBriefConfidence(tokens, (step) => answer.letters.get(step) ?? null, decodeOne);
      if (result !== null) return { kind, value: result.value, source, tokens: result.tokens, letters: answer.comparison };
      // No "Image A" / "Image B" in the answer, where upstream has no value: the letters of the probe stand in.
      const probe = answer.comparison;
      if (probe === null) return { kind, value: null, source, reason: 'the answer names no image, and this vocabulary has no ▁Image ▁A ▁B tokens', tokens: [], letters: null };
      return { kind, value: probe.letterProbability, source: 'probe', reason: 'the answer names no image: read where ▁Image was fed after the prompt', tokens: [], letters: probe };
    }
    case 'detail':
      return detailReport(answer, source, context.decode, context.embed);
  }
}

/**
 * A detailed answer's confidence by token importance; 'needs the sentence model' without the embedder. Also what
 * fills in a finished answer's confidence once the sentence model is loaded: it reads only the answer's tokens.
 */
export async function detailReport(
  answer: FinishedAnswerTokens,
  source: ConfidenceSource,
  decode: (ids: number[]) => string,
  embed: EmbedTexts | null,
): Promise<ConfidenceReport> {
  const kind = 'detail';
  if (embed === null) return { kind, value: null, source, reason: NEEDS_SENTENCE_MODEL, tokens: [] };
  const result = await detailConfidence({ ids: answer.ids, probabilities: answer.probabilities, decode, embed, text: answer.rawText });
  if (result === null) return { kind, value: null, source, reason: 'deleting any one token leaves the sentence embedding unchanged', tokens: [] };
  return { kind, value: result.value, source, tokens: result.tokens };
}
