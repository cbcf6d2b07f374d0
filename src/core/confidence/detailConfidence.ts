import { AppError } from '../errors.ts';
import { withoutPadding } from './briefConfidence.ts';
import type { DetailConfidence, GeneratedTokens } from './types.ts';

/**
 * DepictQA's confidence of a detailed answer (upstream `cal_confidence_detail`): a token matters as much as
 * deleting it moves the answer's sentence embedding. For each generated token i, the ids without token i are
 * decoded back to text (special tokens skipped) and embedded; importance_i = 1 − cos(e(answer), e(without i)).
 * The 30 most important tokens (ties keep their order in the answer) have their importances normalised to sum
 * to 1, and the confidence is the so-weighted mean of their probabilities.
 * Every generated token takes part, including the trailing "\n", "▁" and "</s>" (whose deletion changes little).
 */

export const DETAIL_TOKEN_COUNT = 30;

/** The texts to embed: one per generated token, with that token deleted. `decode` skips special tokens. */
export function deletionTexts(ids: readonly number[], decode: (ids: number[]) => string): string[] {
  return ids.map((_, i) => decode([...ids.slice(0, i), ...ids.slice(i + 1)]));
}

/** 1 − cosine similarity, in float64. */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new AppError('INTERNAL', `confidence: embeddings of sizes ${a.length} and ${b.length}`);
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  // torch's cos_sim normalises each vector by max(norm, 1e-12).
  return 1 - dot / (Math.max(Math.sqrt(aa), 1e-12) * Math.max(Math.sqrt(bb), 1e-12));
}

export interface DetailEmbeddings {
  /** Embedding of the whole answer. */
  answer: ArrayLike<number>;
  /** Embedding of each deletion text, in token order (`deletionTexts`). */
  deletions: ReadonlyArray<ArrayLike<number>>;
}

/**
 * The detailed rule on embeddings already computed. Null when the answer has no tokens, or when the selected
 * importances sum to zero (every deletion left the embedding unchanged; upstream's value is NaN then).
 */
export function detailConfidenceFromEmbeddings(
  tokens: GeneratedTokens,
  embeddings: DetailEmbeddings,
  decode?: (id: number) => string,
): DetailConfidence | null {
  const trimmed = withoutPadding(tokens);
  if (trimmed === null || trimmed.ids.length === 0) return null;
  if (embeddings.deletions.length !== trimmed.ids.length) {
    throw new AppError('INTERNAL', `confidence: ${embeddings.deletions.length} deletion embeddings for ${trimmed.ids.length} tokens`);
  }
  const importance = embeddings.deletions.map((deleted) => cosineDistance(embeddings.answer, deleted));
  // Array.prototype.sort is stable, as Python's sorted(..., reverse=True) is: equal importances keep token order.
  const chosen = importance
    .map((_, position) => position)
    .sort((a, b) => importance[b]! - importance[a]!)
    .slice(0, DETAIL_TOKEN_COUNT);
  const total = chosen.reduce((sum, position) => sum + importance[position]!, 0);
  if (!(total !== 0 && Number.isFinite(total))) return null;
  let value = 0;
  const selected = chosen.map((position) => {
    const weight = importance[position]! / total;
    const probability = trimmed.probabilities[position]!;
    value += weight * probability;
    const id = trimmed.ids[position]!;
    return { position, id, text: decode ? decode(id) : '', weight, probability, importance: importance[position]! };
  });
  return { kind: 'detail', value, tokens: selected };
}

/** Sentence embeddings of several texts in one batch (see `embedTexts.ts`). */
export type EmbedTexts = (texts: string[]) => Promise<Float32Array[]>;

export interface DetailInputs extends GeneratedTokens {
  /** The tokenizer's decode with special tokens skipped. */
  decode: (ids: number[]) => string;
  embed: EmbedTexts;
  /** The answer as upstream embeds it; default: `decode(ids)`. Whitespace at the ends does not change a BERT embedding. */
  text?: string;
}

/** The detailed rule end to end: one embedding call for the answer and all its deletion texts. */
export async function detailConfidence(inputs: DetailInputs): Promise<DetailConfidence | null> {
  const trimmed = withoutPadding(inputs);
  if (trimmed === null || trimmed.ids.length === 0) return null;
  const text = inputs.text ?? inputs.decode(trimmed.ids);
  const [answer, ...deletions] = await inputs.embed([text, ...deletionTexts(trimmed.ids, inputs.decode)]);
  return detailConfidenceFromEmbeddings(trimmed, { answer: answer!, deletions }, (id) => inputs.decode([id]));
}
