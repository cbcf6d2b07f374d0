import { AppError } from '../../core/errors.ts';
import { formatBytes } from '../../core/format.ts';

/** What `navigator.storage.estimate()` answers; either number may be missing. */
export interface StorageEstimateLike {
  quota?: number;
  usage?: number;
}

/**
 * Refuses a download that cannot fit before its first byte, rather than failing gigabytes in. Browsers give an
 * origin a share of the disk (Chromium: up to 60%); `estimate` is approximate, so this is the first line
 * and a write that hits the quota anyway gets the same error (see `quotaError`).
 */
export function checkQuota(bytesNeeded: number, estimate: StorageEstimateLike | undefined): void {
  if (bytesNeeded <= 0 || estimate?.quota === undefined) return;
  const bytesFree = Math.max(0, estimate.quota - (estimate.usage ?? 0));
  if (bytesNeeded > bytesFree) throw quotaError(bytesNeeded, bytesFree);
}

export function quotaError(bytesNeeded: number, bytesFree: number | null, cause?: unknown): AppError {
  const free = bytesFree === null ? 'the browser refused to store more' : `${formatBytes(bytesFree)} is free for this site`;
  return new AppError('STORAGE_QUOTA_EXCEEDED', `The model needs ${formatBytes(bytesNeeded)} more storage; ${free}.`, {
    hint: 'Free disk space, delete cached models you no longer use, or pick a smaller variant. Private windows get much less storage.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A DOMException that means "out of storage" (named QuotaExceededError in every browser). */
export function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}
