import type { LetterProbabilities } from '../../core/confidence/briefConfidence.ts';
import type { ComparisonVerdict } from '../../core/engine/confidence.ts';
import type { GenerateEvent, GenerateResult, GenerationStats } from '../../core/engine/generate.ts';
import { AppError } from '../../core/errors.ts';
import { cleanAnswer } from '../../core/generation/answer.ts';
import { parseDistortion } from '../../core/generation/distortion.ts';
import { createSampler, softmaxAt, type Sampler } from '../../core/generation/sampler.ts';
import type { SamplingOptions, StoppingOptions } from '../../core/generation/settings.ts';
import { createStoppingCriteria, type StopReason } from '../../core/generation/stopping.ts';
import { createTextStream } from '../../core/generation/textStream.ts';
import { comparisonConfidence, firstImageMention, parseComparison, type Verdict } from '../../core/generation/verdict.ts';
import { comparesAB, type ImageSlotId } from '../../core/tasks.ts';
import { gpuFailureError } from '../gpu/gpuErrors.ts';
import type { GpuGuard } from '../gpu/gpuGuard.ts';
import { guardedNow, guardedRun } from '../gpu/guardedRun.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { SequenceCache } from '../llm/SequenceCache.ts';
import { embedRange, type BuiltPrompt } from '../prompt/buildPrompt.ts';
import type { TextTokenizer } from '../../core/prompt/textTokenizer.ts';
import { createTokenEvents } from './tokenEvents.ts';
import { yieldToEventLoop } from './yieldToEventLoop.ts';

/** Token ids of `▁Image`, `▁A`, `▁B` in this vocabulary (7084, 319, 350 in LLaMA's). */
export interface ConfidenceIds {
  image: number;
  a: number;
  b: number;
}

/** What one answer runs with: the model's parts, the prompt, the options, and where its events go. */
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
  /** Comparison and Reasoning: where to read p(▁A), p(▁B); null when the vocabulary lacks single tokens for them. */
  confidenceIds: ConfidenceIds | null;
  /** Replaces the token sampler (tests force answers with it); default: `createSampler(sampling)` with greedy probabilities. */
  sampler?: Sampler;
  visionMs: Partial<Record<ImageSlotId, number>>;
  emit: (event: GenerateEvent) => void;
  tokenIntervalMs: number;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** The GPU device's error scopes and loss; every model run is wrapped in them (a no-op on the CPU backend). */
  gpu: GpuGuard;
}

const DURING = 'answering';

/**
 * One answer: 1. reuse the cached prefix, 2. prefill the rest in chunks, 3. decode token by token (sampling on
 * the CPU over the last position's logits, the only tensor that comes back per step), 4. read the verdict and
 * the confidence. Cancellation is checked between model runs, so it takes effect within one step.
 *
 * GPU failures end the answer: a token is shown only once the GPU scopes of the run that gave its logits came
 * back clean (read one step late, while the next run works) and the device is still healthy, so nothing computed
 * after the first GPU error reaches a `tokens` event or the result; the answer rejects with the GPU error.
 */
/** The answer; the engine adds the images it showed and DepictQA's confidence. */
export interface GeneratedAnswer extends Omit<GenerateResult, 'images' | 'confidence'> {
  /** Both letters' probabilities at each step that followed a `▁Image` (Comparison and Reasoning), by step. */
  letters: ReadonlyMap<number, LetterProbabilities>;
}

/**
 * One answer: prefills the prompt in chunks over the KV cache (what it already holds is not run again), then
 * decodes token by token with the sampler and the stopping rules, streaming `prefill` and `tokens` events; a
 * cancel stops it between model runs, a GPU failure rejects it.
 */
export async function generateAnswer(context: AnswerContext): Promise<GeneratedAnswer> {
  const { cache, prompt, signal, counters } = context;
  const model = cache.model;
  const hidden = model.hiddenSize;
  // Every token's probability is recorded (one pass of exp over the row per step) for DepictQA's confidence.
  const sampler = context.sampler ?? createSampler(context.sampling, { greedyProbability: true });
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
  const gpu = context.gpu;
  // Settles once every run so far came back clean from its error scopes; rejects with the first GPU failure.
  let logitsChecked: Promise<void> = Promise.resolve();
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
    const run = await guardedRun(gpu, DURING, () => cache.append(prompt.keys.slice(start, end), embeds));
    logits = run.value;
    logitsChecked = Promise.all([logitsChecked, run.check]).then(() => undefined);
    logitsChecked.catch(() => undefined);
    counters.prefillTokens += end - start;
    prefilled += end - start;
    context.emit({ type: 'prefill', done: prefilled, total: positions - reused });
    await yieldToEventLoop();
  }
  const prefillMs = performance.now() - prefillStarted;

  // 3. Decode.
  const ids: number[] = [];
  const text = createTextStream((part) => context.tokenizer.decode(part));
  // The batch timer sends nothing once the device has failed: batches wait for it, so this check runs before each.
  let broken = false;
  const events = createTokenEvents((delta) => {
    if (!broken && gpu.failed === null) context.emit({ type: 'tokens', ...delta });
  }, context.tokenIntervalMs);
  const ask = comparesAB(prompt.info.task) ? context.confidenceIds : null;
  const probabilities: number[] = [];
  const letters = new Map<number, LetterProbabilities>();
  let firstTokenAt = 0;
  try {
    while (stopReason === null && logits !== null) {
      // A cancel that came while the last token was shown stops before another is sampled.
      if (ids.length > 0 && signal.aborted) {
        stopReason = 'cancelled';
        break;
      }
      if (ask !== null && ids.length > 0 && ids[ids.length - 1] === ask.image) {
        const [pA, pB] = softmaxAt(logits, [ask.a, ask.b]) as [number, number];
        letters.set(ids.length, { pA, pB });
      }
      const { tokenId, probability } = sampler.sample(logits, ids);
      ids.push(tokenId);
      probabilities.push(probability ?? softmaxAt(logits, [tokenId])[0]!);
      if (ids.length === 1) firstTokenAt = performance.now();
      stopReason = stopping.check(ids, signal)?.reason ?? null;
      // This token came from these logits: it is shown only once their runs are known to be clean. The next run
      // starts first, so that reading the scopes overlaps its GPU work instead of adding a wait to every step.
      const tokenChecked = logitsChecked;
      const next = stopReason === null ? decodeStep(context, tokenId) : null;
      next?.catch(() => undefined);
      try {
        await tokenChecked;
        throwIfFailed(gpu);
      } catch (error) {
        // Never leave a run going on a failed device: the rebuild after this must find onnxruntime idle.
        await next?.catch(() => undefined);
        throw error;
      }
      events.push({ text: text.push(tokenId), ids: [tokenId] });
      if (next === null) break;
      const run = await next;
      logits = run.value;
      logitsChecked = run.check;
      counters.decodeSteps++;
      await yieldToEventLoop();
    }
  } catch (error) {
    broken = true;
    events.flush();
    throw error;
  }
  const decodeMs = ids.length > 0 ? performance.now() - firstTokenAt : 0;
  const rest = text.flush();
  if (rest.length > 0) events.push({ text: rest, ids: [] });
  if (gpu.failed !== null) {
    broken = true;
    events.flush();
    throwIfFailed(gpu);
  }
  events.flush();

  // 4. Verdict and the letters. An answer without a `▁Image ▁A` / `▁Image ▁B` pair is probed: `▁Image` after
  // the prompt, and the next-token distribution read there.
  const answer = cleanAnswer(text.text);
  const task = prompt.info.task;
  const verdict = comparesAB(task) ? parseComparison(answer) : null;
  let comparison: ComparisonVerdict | null = null;
  if (ask !== null && stopReason !== 'cancelled' && !signal.aborted) {
    const mention = firstImageMention(ids);
    const read = mention === null ? undefined : letters.get(mention.position + 1);
    if (mention !== null && read !== undefined) {
      comparison = comparisonVerdict(verdict, read, 'answer', mention.position, mention.verdict);
    } else {
      cache.truncate(positions);
      const probeEmbeds = await model.embed([ask.image]);
      const probe = await guardedNow(gpu, DURING, () => cache.append([ask.image], probeEmbeds));
      const [pA, pB] = softmaxAt(probe, [ask.a, ask.b]) as [number, number];
      comparison = comparisonVerdict(verdict, { pA, pB }, 'probe', null, null);
    }
  }
  throwIfFailed(gpu);
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
    probabilities,
    stopReason: stopReason ?? 'max_tokens',
    verdict,
    distortion: task === 'distortion' ? parseDistortion(answer) : null,
    comparison,
    letters,
    sampling: sampler.options,
    stats,
  };
}

/** The verdict record; `letter` is the one the answer wrote, or for a probe the likelier one. */
export function comparisonVerdict(
  verdict: Verdict | null,
  read: LetterProbabilities,
  source: 'answer' | 'probe',
  position: number | null,
  written: Verdict | null,
): ComparisonVerdict {
  const ratio = comparisonConfidence(read.pA, read.pB);
  const letter = written ?? ratio.verdict;
  return {
    verdict,
    source,
    position,
    letter,
    pA: read.pA,
    pB: read.pB,
    normalizedRatioA: ratio.confidenceA,
    letterProbability: letter === 'A' ? read.pA : read.pB,
  };
}

function throwIfFailed(gpu: GpuGuard): void {
  if (gpu.failed !== null) throw gpuFailureError(gpu.failed);
}

/** One decode step: the token's embedding, then the decoder inside the GPU scopes. */
async function decodeStep(context: AnswerContext, tokenId: number): Promise<{ value: Float32Array; check: Promise<void> }> {
  const embeds = await context.cache.model.embed([tokenId]);
  return guardedRun(context.gpu, DURING, () => context.cache.append([tokenId], embeds));
}
