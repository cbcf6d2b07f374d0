import { describe, expect, it } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { checkQuota, isQuotaError, quotaError } from './quota.ts';

const MiB = 1024 * 1024;

describe('checkQuota', () => {
  it('passes when the download fits, when nothing is needed, and when the browser gives no quota', () => {
    expect(() => checkQuota(100 * MiB, { quota: 1000 * MiB, usage: 900 * MiB })).not.toThrow();
    expect(() => checkQuota(0, { quota: 0, usage: 0 })).not.toThrow();
    expect(() => checkQuota(100 * MiB, {})).not.toThrow();
    expect(() => checkQuota(100 * MiB, undefined)).not.toThrow();
  });

  it('says how much is needed and how much is free', () => {
    let thrown: unknown;
    try {
      checkQuota(3.5 * 1024 * MiB, { quota: 2048 * MiB, usage: 1024 * MiB });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('STORAGE_QUOTA_EXCEEDED');
    expect((thrown as AppError).message).toBe('The model needs 3.50 GiB more storage; 1.00 GiB is free for this site.');
    expect((thrown as AppError).hint).toMatch(/delete cached models/);
  });

  it('treats usage above the quota as nothing free', () => {
    expect(() => checkQuota(1, { quota: 10, usage: 20 })).toThrow('The model needs 1 B more storage; 0 B is free for this site.');
  });
});

describe('quotaError and isQuotaError', () => {
  it('recognises the browser exception and reports a write that hit the quota', () => {
    expect(isQuotaError(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaError(new DOMException('gone', 'NotFoundError'))).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
    expect(quotaError(MiB, null).message).toBe('The model needs 1.00 MiB more storage; the browser refused to store more.');
  });
});
