import { describe, expect, it } from 'vitest';
import { questionCount, questionIndexForImages } from '../../core/engine/question.ts';
import type { SlotImage } from '../../state/useImageStore.ts';
import { questionChoice, withSeed } from './runTask.ts';

describe('run requests', () => {
  it('resolves the question before the run, so that Regenerate and History ask the same one', async () => {
    const image = (id: string) => ({ id }) as SlotImage;
    const images = { reference: image('f'.repeat(64)), a: image('a'.repeat(64)), b: image('b'.repeat(64)) };
    const count = questionCount('reasoning', true);
    const byImages = await questionIndexForImages('reasoning', true, [['reference', 'f'.repeat(64)], ['a', 'a'.repeat(64)], ['b', 'b'.repeat(64)]], count);
    expect(await questionChoice('images', '', 'reasoning', images)).toEqual({ index: byImages });
    expect(await questionChoice('random', '', 'reasoning', images, () => 0.35)).toEqual({ index: Math.floor(0.35 * count) });
    expect(await questionChoice(4, '', 'reasoning', images)).toEqual({ index: 4 });
    // A pick from a longer list of another task falls back to the images' pick within this task's set.
    expect(await questionChoice(count + 3, '', 'reasoning', images)).toEqual({ index: byImages });
    expect(await questionChoice('own', '  Is it blurry?  ', 'reasoning', images)).toEqual({ text: 'Is it blurry?' });
    // Without the reference, the no-reference prompt's pick.
    const { reference: _, ...noReference } = images;
    const withoutReference = await questionIndexForImages('reasoning', false, [['a', 'a'.repeat(64)], ['b', 'b'.repeat(64)]], questionCount('reasoning', false));
    expect(await questionChoice('images', '', 'reasoning', noReference)).toEqual({ index: withoutReference });
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
