import { describe, expect, it } from 'vitest';
import { questionChoice, withSeed } from './runTask.ts';

describe('run requests', () => {
  it('draws a random question once, before the run, so that Regenerate asks the same one', () => {
    expect(questionChoice('random', '', 10, () => 0.35)).toEqual({ index: 3 });
    expect(questionChoice(4, '', 10)).toEqual({ index: 4 });
    // A pick from a longer list of another task is redrawn within this task's set.
    expect(questionChoice(12, '', 10, () => 0.99)).toEqual({ index: 9 });
    expect(questionChoice('own', '  Is it blurry?  ', 10)).toEqual({ text: 'Is it blurry?' });
  });

  it('gives a sampling run without a seed one it records, and leaves greedy and typed seeds alone', () => {
    const greedy = { sampling: null, maxNewTokens: 16, loopGuard: false };
    expect(withSeed(greedy, 5)).toBe(greedy);
    const penalised = { sampling: { repetitionPenalty: 1.1 }, maxNewTokens: 16, loopGuard: false };
    expect(withSeed(penalised, 5)).toBe(penalised);
    expect(withSeed({ sampling: { temperature: 0.7 }, maxNewTokens: 16, loopGuard: false }, 5).sampling).toEqual({ temperature: 0.7, seed: 5 });
    expect(withSeed({ sampling: { temperature: 0.7, seed: 1 }, maxNewTokens: 16, loopGuard: false }, 5).sampling).toEqual({ temperature: 0.7, seed: 1 });
  });
});
