import { describe, expect, it } from 'vitest';
import { LIFE_LOCK_PREFIX, lifeLockName } from './workerLife.ts';

describe('lifeLockName', () => {
  it('reads the life lock message and nothing else a worker posts', () => {
    expect(lifeLockName({ lifeLock: `${LIFE_LOCK_PREFIX}1234` })).toBe(`${LIFE_LOCK_PREFIX}1234`);
    // Comlink's replies, and locks of other code, are not it.
    expect(lifeLockName({ id: 'abc', type: 'RETURN', value: 1 })).toBeNull();
    expect(lifeLockName({ lifeLock: 'depictqa-bundle-key' })).toBeNull();
    expect(lifeLockName(null)).toBeNull();
    expect(lifeLockName('lifeLock')).toBeNull();
  });
});
