import type { ComparisonWork } from '../../core/engine/rank.ts';
import { AppError } from '../../core/errors.ts';
import { softmaxAt } from '../../core/generation/sampler.ts';
import type { ConfidenceIds } from '../generation/generateAnswer.ts';
import type { GpuGuard } from '../gpu/gpuGuard.ts';
import { guardedNow } from '../gpu/guardedRun.ts';
import type { WorkCounters } from '../llm/LanguageModel.ts';
import type { SequenceCache } from '../llm/SequenceCache.ts';
import { embedRange } from '../prompt/buildPrompt.ts';
import type { ComparisonPrompt } from './comparisonPrompt.ts';

export interface ComparisonContext {
  cache: SequenceCache;
  gpu: GpuGuard;
  /** Longest decoder run of the prefill. */
  prefillChunk: number;
  /** Where p(▁A), p(▁B) are read. */
  letters: Pick<ConfidenceIds, 'a' | 'b'>;
  /** The engine's counters since load: prefill positions are added here too. */
  counters: WorkCounters;
}

export interface ComparisonOutcome {
  pA: number;
  pB: number;
  work: ComparisonWork;
}

const DURING = 'comparing two images';

/**
 * One comparison, no generation: 1. keep the longest prefix of the prompt the KV cache already holds (at least the
 * shared prefix once an earlier comparison of the same reference ran: the cache's position counter goes back to
 * where the two prompts part), 2. prefill the rest in chunks, 3. read p(▁A), p(▁B) from the last position's logits.
 */
export async function runComparison(context: ComparisonContext, prompt: ComparisonPrompt): Promise<ComparisonOutcome> {
  const started = performance.now();
  const { cache, gpu } = context;
  const model = cache.model;
  const positions = prompt.keys.length;
  if (positions > model.capacity) {
    throw new AppError('CONTEXT_TOO_LONG', `A comparison takes ${positions} positions; the model was loaded with room for ${model.capacity}.`, {
      hint: 'Use smaller images, or load the model with a longer context.',
    });
  }
  // 1. Prefix reuse.
  const reused = cache.reuse(prompt.keys);
  // 2. Prefill: every run but the last only fills the cache.
  let logits: Float32Array | null = null;
  let runs = 0;
  for (let start = reused; start < positions; start += context.prefillChunk) {
    const end = Math.min(positions, start + context.prefillChunk);
    const embeds = await embedRange(prompt.items, start, end, model.hiddenSize, (ids) => model.embed(ids));
    logits = await guardedNow(gpu, DURING, () => cache.append(prompt.keys.slice(start, end), embeds));
    runs++;
    context.counters.prefillTokens += end - start;
  }
  // `reuse` always leaves the last position to run, so there are logits.
  const [pA, pB] = softmaxAt(logits!, [context.letters.a, context.letters.b]) as [number, number];
  return {
    pA,
    pB,
    work: {
      positions,
      sharedPrefix: prompt.sharedPrefix,
      reusedPositions: reused,
      prefillTokens: positions - reused,
      modelRuns: runs,
      elapsedMs: performance.now() - started,
    },
  };
}
