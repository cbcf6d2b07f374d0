/**
 * Files that a later step trusts (an evaluation's summary and tables, a shard's description, a bundle's manifest)
 * are written whole or not at all: to a temporary name beside them, flushed to disk, then renamed over the old one.
 * A failure (a full disk, say) removes the temporary file and says which file, and how much room is left there.
 */
import { statfsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { AppError } from '../../src/core/errors.ts';

/** Writes `path` durably: temp file, fsync, rename, fsync of the folder. Throws `writeFailure` on failure. */
export async function writeFileDurably(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = `${path}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw writeFailure(path, error);
  }
  await syncFolder(dirname(path));
}

/** Makes a rename in `folder` durable (no-op where folders cannot be opened, as on Windows). */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => null);
  if (handle === null) return;
  await handle.sync().catch(() => undefined);
  await handle.close();
}

/** Whether an error is the file system's "no room" (a full disk, or a quota). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/**
 * A failed write as our error: DISK_SPACE for a full disk or quota (with the free space where `path` lies), else
 * WRITE_FAILED with the system's words. An AppError passes through.
 */
export function writeFailure(path: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDiskFull(error)) {
    return new AppError('DISK_SPACE', `${path} could not be written: no space left on the device (${freeSpace(dirname(path))} free there).`, {
      hint: 'Free some space, or write to another disk, then run the same command again: nothing was left half-written.',
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new AppError('WRITE_FAILED', `${path} could not be written: ${detail}.`, {
    hint: 'Check that the folder exists and is writable, then run the same command again.',
    cause: error,
  });
}

function freeSpace(folder: string): string {
  try {
    const stats = statfsSync(folder);
    const bytes = Number(stats.bavail) * Number(stats.bsize);
    return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
  } catch {
    return 'unknown space';
  }
}
