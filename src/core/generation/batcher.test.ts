import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('createBatcher', () => {
  it('sends the first event at once and batches the rest per interval', () => {
    const time = clock();
    const batcher = createBatcher<string>({ intervalMs: 16, now: time.now });
    expect(batcher.msUntilDue()).toBeNull();
    expect(batcher.push('a')).toEqual(['a']);
    time.advance(5);
    expect(batcher.push('b')).toBeNull();
    time.advance(5);
    expect(batcher.push('c')).toBeNull();
    expect(batcher.pendingCount).toBe(2);
    expect(batcher.msUntilDue()).toBe(6);
    expect(batcher.takeDue()).toBeNull();
    time.advance(6);
    expect(batcher.msUntilDue()).toBe(0);
    expect(batcher.takeDue()).toEqual(['b', 'c']);
    expect(batcher.takeDue()).toBeNull();
    time.advance(3);
    expect(batcher.push('d')).toBeNull();
    expect(batcher.flush()).toEqual(['d']);
    expect(batcher.flush()).toEqual([]);
  });

  it('sends at most one update per interval however fast events come', () => {
    const time = clock();
    const batcher = createBatcher<number>({ intervalMs: 16, now: time.now });
    const updates: number[][] = [];
    // 1000 tokens, one every 2 ms, with the caller polling takeDue() on each frame of its timer.
    for (let i = 0; i < 1000; i++) {
      const batch = batcher.push(i) ?? batcher.takeDue();
      if (batch) updates.push(batch);
      time.advance(2);
    }
    updates.push(batcher.flush());
    expect(updates.flat()).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(updates.length).toBeLessThanOrEqual(Math.ceil((1000 * 2) / 16) + 2);
    expect(updates.length).toBeGreaterThan(100);
  });
});
