import { describe, expect, it } from 'vitest';
import { DEFAULT_LOOP_GUARD } from './settings.ts';
import { createStoppingCriteria, detectRepetitionLoop } from './stopping.ts';

const BODY = 3573; // "▁body"

describe('createStoppingCriteria', () => {
  it('stops at </s> and at the token limit (400 by default)', () => {
    const stop = createStoppingCriteria();
    expect(stop.options.maxNewTokens).toBe(400);
    expect(stop.check([7084, 319])).toBeNull();
    expect(stop.check([7084, 319, 13, 29871, 2])).toEqual({ reason: 'eos' });
    const ids = Array.from({ length: 400 }, (_, i) => 100 + (i % 7) * 13 + (i % 11));
    expect(stop.check(ids.slice(0, 399))).toBeNull();
    expect(stop.check(ids)).toEqual({ reason: 'max_tokens' });
  });

  it('leaves loops alone unless the guard is on', () => {
    const loop = [450, 1967, ...Array<number>(20).fill(BODY)];
    expect(createStoppingCriteria().check(loop)).toBeNull();
    expect(createStoppingCriteria({ loopGuard: true }).check(loop)).toEqual({
      reason: 'loop',
      loop: { ngramSize: 1, repeats: 20, start: 2 },
    });
  });

  it('reports a cancellation, but an answer that just ended is complete', () => {
    const stop = createStoppingCriteria();
    expect(stop.check([7084], { aborted: true })).toEqual({ reason: 'cancelled' });
    expect(stop.check([7084, 2], { aborted: true })).toEqual({ reason: 'eos' });
    expect(stop.check([7084], { aborted: false })).toBeNull();
  });

  it('refuses a limit below one token', () => {
    expect(() => createStoppingCriteria({ maxNewTokens: 0 })).toThrow(/maxNewTokens/);
    expect(() => createStoppingCriteria({ loopGuard: { minRepeats: 1 } })).toThrow(/minRepeats/);
  });
});

describe('detectRepetitionLoop', () => {
  it('needs 12 copies of a single token but only 4 of a 3-token phrase', () => {
    const single = (count: number) => [1, 2, ...Array<number>(count).fill(BODY)];
    expect(detectRepetitionLoop(single(11), DEFAULT_LOOP_GUARD)).toBeNull();
    expect(detectRepetitionLoop(single(12), DEFAULT_LOOP_GUARD)).toEqual({ ngramSize: 1, repeats: 12, start: 2 });
    const phrase = [9, 8, 7, 6];
    const unit = [310, 1967, 338];
    expect(detectRepetitionLoop([...phrase, ...unit, ...unit, ...unit], DEFAULT_LOOP_GUARD)).toBeNull();
    expect(detectRepetitionLoop([...phrase, ...unit, ...unit, ...unit, ...unit], DEFAULT_LOOP_GUARD)).toEqual({
      ngramSize: 3,
      repeats: 4,
      start: 4,
    });
  });

  it('reports the shortest unit, also when the loop is cut mid-unit', () => {
    const ids = [5, ...Array<number>(16).fill(BODY)];
    expect(detectRepetitionLoop(ids, DEFAULT_LOOP_GUARD)?.ngramSize).toBe(1);
    const unit = [11, 12, 13, 14, 15, 16, 17, 18];
    const eight = [...unit, ...unit, ...unit, ...unit];
    expect(detectRepetitionLoop(eight, DEFAULT_LOOP_GUARD)).toEqual({ ngramSize: 8, repeats: 4, start: 0 });
    // Cut mid-unit, the loop is four copies of the rotated unit [13 … 18, 11, 12].
    expect(detectRepetitionLoop([...eight, 11, 12], DEFAULT_LOOP_GUARD)).toEqual({ ngramSize: 8, repeats: 4, start: 2 });
    expect(detectRepetitionLoop([...eight, 99], DEFAULT_LOOP_GUARD)).toBeNull();
  });

  it('does not fire on an ordinary answer', () => {
    // A realistic token stream: varied ids with common short tokens recurring, never back to back.
    const ids = Array.from({ length: 300 }, (_, i) => (i % 5 === 0 ? 278 : 1000 + ((i * 7919) % 3001)));
    expect(detectRepetitionLoop(ids, DEFAULT_LOOP_GUARD)).toBeNull();
  });
});
