import { AppError } from '../errors.ts';
import { createRandom } from './random.ts';
import { kthLargest, nucleus } from './selection.ts';
import { resolveSamplingOptions, type ResolvedSamplingOptions, type SamplingOptions } from './settings.ts';

export interface SampledToken {
  tokenId: number;
  /** The token's probability under the final distribution: softmax of the processed logits (after the
   *  repetition penalty and n-gram block) for greedy decoding, as upstream reports it; for sampling, the
   *  renormalised probability after temperature, top-k and top-p. Greedy decoding computes it only for a
   *  sampler made with `greedyProbability` (a softmax over the vocabulary costs more than the argmax); else null. */
  probability: number | null;
}

export interface SamplerExtras {
  /** Greedy tokens come with their softmax probability (one exp per vocabulary entry and step). */
  greedyProbability?: boolean;
}

export interface Sampler {
  /** The settings in force, with the seed actually used. */
  readonly options: ResolvedSamplingOptions;
  /**
   * Picks the next token from one logits row [vocab]. `generatedIds` are the ids the repetition penalty
   * and the n-gram block look at: the answer's own tokens, which is what Hugging Face `generate()` sees
   * as `input_ids` when it is fed `inputs_embeds`, as DepictQA does.
   */
  sample(logits: Float32Array, generatedIds?: readonly number[]): SampledToken;
}

export function createSampler(options: SamplingOptions = {}, extras: SamplerExtras = {}): Sampler {
  const resolved = resolveSamplingOptions(options);
  const random = createRandom(resolved.seed);
  let processed = new Float64Array(0); // [vocab] logits after penalty and bans
  let scratch = new Float64Array(0); // [vocab] quickselect workspace, then weights

  return {
    options: resolved,
    sample(logits: Float32Array, generatedIds: readonly number[] = []): SampledToken {
      const vocab = logits.length;
      if (vocab === 0) throw invalidLogits('the logits row is empty');
      // Plain greedy (the default, every decode step): one pass over the row, no copy.
      if (resolved.temperature === 0 && resolved.repetitionPenalty === 1 && resolved.noRepeatNgramSize === 0) {
        return greedy(logits, extras.greedyProbability === true);
      }
      if (processed.length !== vocab) {
        processed = new Float64Array(vocab);
        scratch = new Float64Array(vocab);
      }
      // 1. Copy, refusing NaN and +Inf (an overflowing fp16 graph shows up here); −Inf is a mask.
      for (let i = 0; i < vocab; i++) {
        const value = logits[i]!;
        // One comparison, false for NaN and +Inf alike.
        if (!(value < Infinity)) throw invalidLogits(`logit ${i} is ${value}`);
        processed[i] = value;
      }
      // 2. Logits processors, in Hugging Face's order.
      if (resolved.repetitionPenalty !== 1) applyRepetitionPenalty(processed, generatedIds, resolved.repetitionPenalty);
      if (resolved.noRepeatNgramSize > 0) {
        for (const id of bannedNgramTokens(generatedIds, resolved.noRepeatNgramSize)) {
          if (id >= 0 && id < vocab) processed[id] = -Infinity;
        }
      }
      if (resolved.temperature === 0) return greedy(processed, extras.greedyProbability === true);
      // 3. Warpers: temperature, top-k, top-p; then one draw.
      return draw(processed, resolved, scratch, random.next());
    },
  };
}

/** Hugging Face's RepetitionPenaltyLogitsProcessor: once per distinct id. */
export function applyRepetitionPenalty(logits: Float64Array, ids: readonly number[], penalty: number): void {
  for (const id of new Set(ids)) {
    if (id < 0 || id >= logits.length) continue;
    const value = logits[id]!;
    logits[id] = value < 0 ? value * penalty : value / penalty;
  }
}

/**
 * Hugging Face's NoRepeatNGramLogitsProcessor: the tokens that, appended to `ids`, would repeat an
 * n-gram that `ids` already contains (the last n − 1 ids are the prefix looked up).
 */
export function bannedNgramTokens(ids: readonly number[], n: number): Set<number> {
  const banned = new Set<number>();
  const length = ids.length;
  if (n <= 0 || length + 1 < n) return banned;
  const prefixStart = length - (n - 1);
  for (let start = 0; start + n <= length; start++) {
    let match = true;
    for (let j = 0; j < n - 1; j++) {
      if (ids[start + j] !== ids[prefixStart + j]) {
        match = false;
        break;
      }
    }
    if (match) banned.add(ids[start + n - 1]!);
  }
  return banned;
}

/** The lowest id among the maxima of a logits row (strict ">"), refusing NaN and +Inf as the copy in `sample` does. */
function argmaxChecked(logits: Float32Array | Float64Array): number {
  let best = 0;
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const value = logits[i]!;
    if (!(value < Infinity)) throw invalidLogits(`logit ${i} is ${value}`);
    if (value > max) {
      max = value;
      best = i;
    }
  }
  if (max === -Infinity) throw invalidLogits('every token is masked or banned');
  return best;
}

function greedy(logits: Float32Array | Float64Array, withProbability: boolean): SampledToken {
  const best = argmaxChecked(logits);
  if (!withProbability) return { tokenId: best, probability: null };
  const max = logits[best]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return { tokenId: best, probability: 1 / sum };
}

function draw(logits: Float64Array, options: ResolvedSamplingOptions, scratch: Float64Array, u: number): SampledToken {
  const vocab = logits.length;
  const invTemperature = 1 / options.temperature;
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) {
    logits[i] = logits[i]! * invTemperature;
    if (logits[i]! > max) max = logits[i]!;
  }
  if (max === -Infinity) throw invalidLogits('every token is masked or banned');

  // Top-k keeps every token at or above the k-th value (ties included, as torch.topk's threshold does).
  let candidates: number[] | null = null;
  if (options.topK > 0 && options.topK < vocab) {
    const threshold = kthLargest(logits, vocab, options.topK, scratch);
    candidates = [];
    for (let i = 0; i < vocab; i++) {
      if (logits[i]! >= threshold && logits[i]! > -Infinity) candidates.push(i);
    }
  }

  // Weights exp(logit − max) in float64; tokens outside the candidates weigh 0.
  const weights = scratch;
  let total = 0;
  if (candidates === null) {
    for (let i = 0; i < vocab; i++) {
      weights[i] = Math.exp(logits[i]! - max);
      total += weights[i]!;
    }
  } else {
    weights.fill(0);
    for (const id of candidates) {
      weights[id] = Math.exp(logits[id]! - max);
      total += weights[id]!;
    }
  }

  const pool = candidates ?? positiveIds(weights);
  const kept = options.topP < 1 ? nucleus(pool, weights, total, options.topP) : { ids: pool, weight: total };

  // Inverse CDF over the kept tokens (in a fixed, seed-independent order); the last one absorbs rounding.
  let target = u * kept.weight;
  let chosen = -1;
  for (const id of kept.ids) {
    target -= weights[id]!;
    if (target < 0) {
      chosen = id;
      break;
    }
  }
  if (chosen < 0) chosen = kept.ids.reduce((best, id) => (weights[id]! > weights[best]! ? id : best));
  return { tokenId: chosen, probability: weights[chosen]! / kept.weight };
}

function positiveIds(weights: Float64Array): number[] {
  const ids: number[] = [];
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! > 0) ids.push(i);
  }
  return ids;
}

/**
 * Softmax probabilities of `ids` over the whole row [vocab], accumulated in float64 after subtracting the
 * row's maximum. Used for the comparison confidence: p(▁A = 319) and p(▁B = 350) after `▁Image`.
 */
export function softmaxAt(logits: ArrayLike<number>, ids: readonly number[]): number[] {
  const vocab = logits.length;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new AppError('LOGITS_INVALID', `Token id ${id} is outside the logits row of ${vocab} entries.`, {
        hint: 'The model bundle and the tokenizer disagree on the vocabulary: reconvert the model.',
      });
    }
  }
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) {
    const value = logits[i]!;
    if (Number.isNaN(value) || value === Infinity) throw invalidLogits(`logit ${i} is ${value}`);
    if (value > max) max = value;
  }
  if (max === -Infinity) throw invalidLogits('every token is masked');
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[i]! - max);
  return ids.map((id) => Math.exp(logits[id]! - max) / sum);
}

function invalidLogits(problem: string): AppError {
  return new AppError('LOGITS_INVALID', `The model produced unusable logits: ${problem}.`, {
    hint: 'Try the q4 (fp32) model variant; if it persists, the model bundle is damaged: reconvert it.',
  });
}
