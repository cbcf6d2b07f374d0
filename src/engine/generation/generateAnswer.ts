import type { AnswerConfidence, GenerateEvent, GenerateResult, GenerationStats } from '../../core/engine/types.ts';
import { AppError } from '../../core/errors.ts';
import { cleanAnswer } from '../../core/generation/answer.ts';
import { parseDistortion } from '../../core/generation/distortion.ts';
import { createSampler, softmaxAt } from '../../core/generation/sampler.ts';
import type { SamplingOptions, StoppingOptions } from '../../core/generation/settings.ts';
import { createStoppingCriteria, type StopReason } from '../../core/generation/stopping.ts';
import { createTextStream } from '../../core/generation/textStream.ts';
import { comparisonConfidence, parseComparison } from '../../core/generation/verdict.ts';
import type { ImageSlotId } from '../../core/tasks.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { SequenceCache } from '../llm/SequenceCache.ts';
import { embedRange, type BuiltPrompt } from '../prompt/buildPrompt.ts';
import type { TextTokenizer } from '../text/BundleTokenizer.ts';
import { createTokenEvents } from './tokenEvents.ts';
import { yieldToEventLoop } from './yieldToEventLoop.ts';

/** Token ids of `▁Image`, `▁A`, `▁B` in this vocabulary (7084, 319, 350 in LLaMA's). */
export interface ConfidenceIds {
  image: number;
  a: number;
  b: number;
}

export interface AnswerContext {
  cache: SequenceCache;
  tokenizer: TextTokenizer;
  prompt: BuiltPrompt;
  sampling: SamplingOptions | undefined;
  stopping: StoppingOptions;
  /** Longest decoder run of the prefill. */
  prefillChunk: number;
  /** Set by `cancel()`; read between model runs. */
  signal: { readonly aborted: boolean };
  counters: WorkCounters;
  /** Comparison only: where to read p(▁A), p(▁B); null when the vocabulary lacks single tokens for them. */
  confidenceIds: ConfidenceIds | null;
  visionMs: Partial<Record<ImageSlotId, number>>;
  emit: (event: GenerateEvent) => void;
  tokenIntervalMs: number;
  /** performance.now() when the request arrived. */
  startedAt: number;
}

/**
 * One answer: 1. reuse the cached prefix, 2. prefill the rest in chunks, 3. decode token by token (sampling on
 * the CPU over the last position's logits, the only tensor that comes back per step), 4. read the verdict and
 * the confidence. Cancellation is checked between model runs, so it takes effect within one step.
 */
export async function generateAnswer(context: AnswerContext): Promise<GenerateResult> {
  const { cache, prompt, signal, counters } = context;
  const model = cache.model;
  const hidden = model.hiddenSize;
  const sampler = createSampler(context.sampling);
  const positions = prompt.keys.length;
  const room = model.capacity - positions;
  if (room < 1) {
    throw new AppError('CONTEXT_TOO_LONG', `The prompt takes ${positions} positions; the model was loaded with room for ${model.capacity}.`, {
      hint: 'Use smaller or fewer images, or a shorter question.',
    });
  }
  const requested = createStoppingCriteria(context.stopping).options.maxNewTokens;
  // The last token is never fed back, so an answer may be one longer than the free positions.
  const stopping = createStoppingCriteria({ ...context.stopping, maxNewTokens: Math.min(requested, room + 1) });
  const maxNewTokens = stopping.options.maxNewTokens;

  // 1. Prefix reuse.
  const reused = cache.reuse(prompt.keys);
  context.emit({ type: 'start', prompt: prompt.info, sampling: sampler.options, maxNewTokens });

  // 2. Prefill.
  const prefillStarted = performance.now();
  let logits: Float32Array | null = null;
  let stopReason: StopReason | null = null;
  let prefilled = 0;
  for (let start = reused; start < positions; start += context.prefillChunk) {
    if (signal.aborted) {
      stopReason = 'cancelled';
      break;
    }
    const end = Math.min(positions, start + context.prefillChunk);
    const embeds = await embedRange(prompt.items, start, end, hidden, (ids) => model.embed(ids));
    logits = await cache.append(prompt.keys.slice(start, end), embeds);
    counters.prefillTokens += end - start;
    prefilled += end - start;
    context.emit({ type: 'prefill', done: prefilled, total: positions - reused });
    await yieldToEventLoop();
  }
  const prefillMs = performance.now() - prefillStarted;

  // 3. Decode.
  const ids: number[] = [];
  const text = createTextStream((part) => context.tokenizer.decode(part));
  const events = createTokenEvents((delta) => context.emit({ type: 'tokens', ...delta }), context.tokenIntervalMs);
  const ask = prompt.info.task === 'comparison' ? context.confidenceIds : null;
  let confidence: AnswerConfidence | null = null;
  let firstTokenAt = 0;
  while (stopReason === null && logits !== null) {
    if (ask !== null && confidence === null && ids.length > 0 && ids[ids.length - 1] === ask.image) {
      const [pA, pB] = softmaxAt(logits, [ask.a, ask.b]) as [number, number];
      confidence = { ...comparisonConfidence(pA, pB), source: 'answer' };
    }
    const { tokenId } = sampler.sample(logits, ids);
    ids.push(tokenId);
    if (ids.length === 1) firstTokenAt = performance.now();
    events.push({ text: text.push(tokenId), ids: [tokenId] });
    stopReason = stopping.check(ids, signal)?.reason ?? null;
    if (stopReason !== null) break;
    const embeds = await model.embed([tokenId]);
    logits = await cache.append([tokenId], embeds);
    counters.decodeSteps++;
    await yieldToEventLoop();
  }
  const decodeMs = ids.length > 0 ? performance.now() - firstTokenAt : 0;
  const rest = text.flush();
  if (rest.length > 0) events.push({ text: rest, ids: [] });
  events.flush();

  // 4. Verdict and confidence. A comparison answer that did not put `▁Image` first is probed: `▁Image` after
  // the prompt, and the next-token distribution read there.
  if (ask !== null && confidence === null && stopReason !== 'cancelled' && !signal.aborted) {
    cache.truncate(positions);
    const probe = await cache.append([ask.image], await model.embed([ask.image]));
    const [pA, pB] = softmaxAt(probe, [ask.a, ask.b]) as [number, number];
    confidence = { ...comparisonConfidence(pA, pB), source: 'probe' };
  }
  const answer = cleanAnswer(text.text);
  const task = prompt.info.task;
  const finishedAt = performance.now();
  const visionValues = Object.values(context.visionMs);
  const stats: GenerationStats = {
    timeToFirstTokenMs: ids.length > 0 ? firstTokenAt - context.startedAt : 0,
    prefillTokens: prefilled,
    reusedPositions: reused,
    prefillMs,
    prefillTokensPerSecond: prefillMs > 0 ? (prefilled / prefillMs) * 1000 : 0,
    decodeMs,
    decodeTokensPerSecond: ids.length > 1 && decodeMs > 0 ? ((ids.length - 1) / decodeMs) * 1000 : 0,
    tokensGenerated: ids.length,
    visionMs: context.visionMs,
    visionMsPerImage: visionValues.length > 0 ? visionValues.reduce((a, b) => a + b, 0) / visionValues.length : 0,
    totalMs: finishedAt - context.startedAt,
  };
  return {
    prompt: prompt.info,
    text: answer,
    rawText: text.text,
    ids,
    stopReason: stopReason ?? 'max_tokens',
    verdict: task === 'comparison' || task === 'reasoning' ? parseComparison(answer) : null,
    distortion: task === 'distortion' ? parseDistortion(answer) : null,
    confidence,
    sampling: sampler.options,
    stats,
  };
}
