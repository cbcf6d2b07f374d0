/** Pure generation logic used by the engine's decode loop and by the UI: no GPU, no DOM, no Node APIs. */
export { cleanAnswer } from './answer.ts';
export { createBatcher, type Batcher, type BatcherOptions } from './batcher.ts';
export { averageRanks, pearson, spearman } from './correlation.ts';
export { DISTORTION_NAMES, parseDistortion, parseDistortions, type DistortionName } from './distortion.ts';
export { fitLogistic4, logistic4, type FitOptions, type LogisticBetas, type LogisticFit } from './logisticFit.ts';
export { createSampler, softmaxAt, type SampledToken, type Sampler } from './sampler.ts';
export { evaluateGroup, evaluateGroups, voteScores, type Comparison, type GroupEvaluation, type VoteScore } from './scores.ts';
export {
  ANTI_LOOP_SETTINGS,
  DEFAULT_LOOP_GUARD,
  DEFAULT_MAX_NEW_TOKENS,
  EOS_TOKEN_ID,
  resolveSamplingOptions,
  resolveStoppingOptions,
  type LoopGuardOptions,
  type SamplingOptions,
  type StoppingOptions,
} from './settings.ts';
export { createStoppingCriteria, detectRepetitionLoop, type LoopMatch, type StopDecision, type StopReason, type StoppingCriteria } from './stopping.ts';
export { createTextStream, type TextStream } from './textStream.ts';
export {
  comparisonConfidence,
  firstImageMention,
  IMAGE_TOKEN_ID,
  LETTER_TOKEN_IDS,
  parseComparison,
  parseReasoning,
  type ComparisonConfidence,
  type ImageMention,
  type ReasoningVerdict,
  type Verdict,
} from './verdict.ts';
