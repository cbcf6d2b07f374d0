import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenEvents, type TokenDelta } from './tokenEvents.ts';

describe('createTokenEvents', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first token at once and merges the next ones into one event per interval', () => {
    const sent: TokenDelta[] = [];
    const events = createTokenEvents((delta) => sent.push(delta), 16);
    events.push({ text: 'Image', ids: [7084] });
    expect(sent).toEqual([{ text: 'Image', ids: [7084] }]);
    events.push({ text: ' A', ids: [319] });
    events.push({ text: '', ids: [13] });
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(sent).toEqual([
      { text: 'Image', ids: [7084] },
      { text: ' A', ids: [319, 13] },
    ]);
    events.push({ text: '!', ids: [29991] });
    events.push({ text: '?', ids: [29973] });
    events.flush();
    // Both arrived within the interval of the last event: flush sends them together.
    expect(sent.at(-1)).toEqual({ text: '!?', ids: [29991, 29973] });
    expect(sent.flatMap((delta) => delta.ids)).toEqual([7084, 319, 13, 29991, 29973]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(3);
  });

  it('sends every token at interval 0', () => {
    const sent: TokenDelta[] = [];
    const events = createTokenEvents((delta) => sent.push(delta), 0);
    for (const id of [1, 2, 3]) events.push({ text: String(id), ids: [id] });
    expect(sent.map((delta) => delta.text)).toEqual(['1', '2', '3']);
  });
});
