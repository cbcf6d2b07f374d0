/** DepictQA's answer confidence (upstream `src/model/utils/confidence.py`): pure rules, no runtime. */
export {
  asksForShortAnswer,
  BRIEF_WORD_LIMIT,
  confidenceKind,
  countSpaceSeparated,
  isBriefAnswer,
  planConfidence,
  SHORT_ANSWER_MARKERS,
  SHORT_ANSWER_TAIL,
  taskFamily,
  type ConfidencePlan,
} from './answerKind.ts';
export { AND_TOKEN_ID, ANSWER_END_IDS, compareBriefConfidence, singleBriefConfidence, withoutPadding, type LetterProbabilities } from './briefConfidence.ts';
export {
  cosineDistance,
  deletionTexts,
  DETAIL_TOKEN_COUNT,
  detailConfidence,
  detailConfidenceFromEmbeddings,
  type DetailEmbeddings,
  type DetailInputs,
  type EmbedTexts,
} from './detailConfidence.ts';
export { explainConfidence, formatConfidence, lettersText, type ConfidenceExplanation } from './explain.ts';
export { createEmbedTexts, type EmbedTextsOptions, type FeatureExtractor } from './embedTexts.ts';
export type {
  AnswerConfidence,
  BriefConfidence,
  CompareBriefConfidence,
  ConfidenceKind,
  ConfidenceToken,
  DetailConfidence,
  GeneratedTokens,
  TaskFamily,
} from './types.ts';
