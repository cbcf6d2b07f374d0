import { describe, expect, it } from 'vitest';
import { holdingRunLock, type RunLocks } from './runLock.ts';

/** Web Locks' `ifAvailable` as one origin's tabs share it: a name is held by one callback at a time. */
function fakeLocks(): RunLocks & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async request(name, _options, callback) {
      if (held.has(name)) return callback(null);
      held.add(name);
      try {
        return await callback({ name });
      } finally {
        held.delete(name);
      }
    },
  };
}

describe('holdingRunLock', () => {
  it('holds the lock while the run works; a second run of the same name is refused at once, another name runs', async () => {
    const locks = fakeLocks();
    let finish!: () => void;
    const first = holdingRunLock('depictqa-rank:k1', () => new Promise<string>((resolve) => (finish = () => resolve('first done'))), locks);
    expect(locks.held.has('depictqa-rank:k1')).toBe(true);
    await expect(holdingRunLock('depictqa-rank:k1', async () => 'second', locks)).rejects.toMatchObject({
      code: 'RUN_OPEN_ELSEWHERE',
      message: 'This run is open in another tab of this browser, which is writing it.',
    });
    expect(await holdingRunLock('depictqa-rank:k2', async () => 'other', locks)).toBe('other');
    finish();
    expect(await first).toBe('first done');
    expect(locks.held.size).toBe(0);
    expect(await holdingRunLock('depictqa-rank:k1', async () => 'again', locks)).toBe('again');
  });

  it('lets go when the run fails, and runs unguarded where the browser has no Web Locks', async () => {
    const locks = fakeLocks();
    await expect(holdingRunLock('n', () => Promise.reject(new Error('engine lost')), locks)).rejects.toThrow('engine lost');
    expect(locks.held.size).toBe(0);
    expect(await holdingRunLock('n', async () => 7, null)).toBe(7);
  });
});
