import { describe, expect, it } from 'vitest';
import { createProgress, formatSeconds } from './progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream, writes };
}

describe('createProgress', () => {
  it('draws tensors, bytes, rate and ETA on a terminal', () => {
    const { stream, writes } = fakeStream(true);
    let t = 0;
    const progress = createProgress({ stream, now: () => t, intervalMs: 0 });
    progress.start('q4', 4, 4e6);
    t = 1000;
    progress.tensorDone('a', 1e6);
    expect(writes.at(-1)).toContain('q4: 1/4 tensors, 1.0/4.0 MB (25%), 1.0 MB/s, ETA 3s');
    progress.finish();
    expect(writes.at(-1)).toBe('\n');
  });

  it('stays quiet when not a terminal, except for log lines', () => {
    const { stream, writes } = fakeStream(false);
    const progress = createProgress({ stream });
    progress.start('q4', 1, 10);
    progress.tensorDone('a', 10);
    progress.finish();
    progress.log('wrote bundle');
    expect(writes).toEqual(['wrote bundle\n']);
  });
});

describe('formatSeconds', () => {
  it.each([
    [5, '5s'],
    [75, '1m15s'],
    [3725, '1h02m'],
    [Infinity, '--'],
  ])('%d → %s', (seconds, text) => expect(formatSeconds(seconds)).toBe(text));
});
