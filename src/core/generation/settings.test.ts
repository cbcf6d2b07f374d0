import { describe, expect, it } from 'vitest';
import { createSampler } from './sampler.ts';
import { ANTI_LOOP_SETTINGS, resolveSamplingOptions, resolveStoppingOptions } from './settings.ts';
import { createStoppingCriteria } from './stopping.ts';

describe('generation settings', () => {
  it('default to the faithful run: greedy, no penalty, no n-gram block, no loop guard', () => {
    const sampling = resolveSamplingOptions({ seed: 1 });
    expect(sampling).toEqual({ temperature: 0, topP: 0.9, topK: 50, repetitionPenalty: 1, noRepeatNgramSize: 0, seed: 1 });
    expect(resolveStoppingOptions()).toEqual({ eosTokenId: 2, maxNewTokens: 400, loopGuard: null });
  });

  it('fill in the loop guard defaults when it is turned on', () => {
    expect(resolveStoppingOptions({ loopGuard: { minRepeats: 6 } }).loopGuard).toEqual({ maxNgram: 8, minRepeats: 6, minLoopTokens: 12 });
  });

  it('offer an anti-loop preset that stays greedy and stops a loop', () => {
    const sampler = createSampler(ANTI_LOOP_SETTINGS.sampling);
    expect(sampler.options.temperature).toBe(0);
    expect(sampler.options.repetitionPenalty).toBeGreaterThan(1);
    const stop = createStoppingCriteria(ANTI_LOOP_SETTINGS.stopping);
    expect(stop.check(Array<number>(12).fill(3573))?.reason).toBe('loop');
  });
});
