import { resolveStoppingOptions, type ResolvedLoopGuardOptions, type ResolvedStoppingOptions, type StoppingOptions } from './settings.ts';

export type StopReason = 'eos' | 'max_tokens' | 'loop' | 'cancelled';

/** A repetition loop at the end of an answer: `ids[start…]` is one `ngramSize`-token unit repeated. */
export interface LoopMatch {
  ngramSize: number;
  repeats: number;
  /** Index of the loop's first token; `ids.slice(0, start + ngramSize)` keeps one copy of the unit. */
  start: number;
}

export interface StopDecision {
  reason: StopReason;
  loop?: LoopMatch;
}

export interface StoppingCriteria {
  readonly options: ResolvedStoppingOptions;
  /**
   * Called after each new token with every id generated so far (the new one last). Returns why to stop,
   * or null to go on. Precedence: `</s>` ends an answer even when the user cancelled in the same step;
   * then cancellation; then the loop guard; then the token limit.
   */
  check(generatedIds: readonly number[], signal?: { readonly aborted: boolean }): StopDecision | null;
}

/**
 * Stops at `</s>` (id 2) and at `maxNewTokens` (400), as upstream does. The loop guard is off unless
 * `loopGuard` is set: a greedy, unpenalised run is the faithful one, and the guard would cut answers
 * that the original model also produces.
 */
export function createStoppingCriteria(options: StoppingOptions = {}): StoppingCriteria {
  const resolved = resolveStoppingOptions(options);
  return {
    options: resolved,
    check(generatedIds, signal) {
      const last = generatedIds[generatedIds.length - 1];
      if (last === resolved.eosTokenId) return { reason: 'eos' };
      if (signal?.aborted === true) return { reason: 'cancelled' };
      if (resolved.loopGuard !== null) {
        const loop = detectRepetitionLoop(generatedIds, resolved.loopGuard);
        if (loop !== null) return { reason: 'loop', loop };
      }
      if (generatedIds.length >= resolved.maxNewTokens) return { reason: 'max_tokens' };
      return null;
    },
  };
}

/**
 * Finds a degenerate loop at the end of `ids` ("body body body…"): the shortest unit of at most
 * `maxNgram` tokens that repeats back to back at least `minRepeats` times and covers at least
 * `minLoopTokens` tokens. Cost per call: O(maxNgram · repeats · n), independent of the answer length
 * except through the loop itself.
 */
export function detectRepetitionLoop(ids: readonly number[], options: ResolvedLoopGuardOptions): LoopMatch | null {
  const length = ids.length;
  for (let n = 1; n <= options.maxNgram && n * options.minRepeats <= length; n++) {
    // Count how many whole copies of the last n tokens sit back to back at the end.
    let repeats = 1;
    while ((repeats + 1) * n <= length && sameUnit(ids, length - n, length - (repeats + 1) * n, n)) repeats++;
    if (repeats >= options.minRepeats && repeats * n >= options.minLoopTokens) {
      return { ngramSize: n, repeats, start: length - repeats * n };
    }
  }
  return null;
}

function sameUnit(ids: readonly number[], a: number, b: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    if (ids[a + i] !== ids[b + i]) return false;
  }
  return true;
}
