import { open, stat, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../src/core/errors.ts';

/** An open checkpoint file: random-access reads only, never the whole file in memory. */
export interface OpenFile {
  path: string;
  handle: FileHandle;
  size: number;
  /** Closes the handle; later calls do nothing. */
  close(): Promise<void>;
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** Opens `path` for reading; a missing file is FILE_NOT_FOUND, a folder is CHECKPOINT_INVALID. */
export async function openFile(path: string, namedBy?: string): Promise<OpenFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) {
      const where = namedBy === undefined ? '' : ` (named in ${namedBy})`;
      throw new AppError('FILE_NOT_FOUND', `${path}: file not found${where}`, {
        hint: 'Check the path; sharded checkpoints need every shard listed in their index file.',
        cause: error,
      });
    }
    throw new AppError('CHECKPOINT_INVALID', `${path}: cannot open: ${(error as Error).message}`, { cause: error });
  }
  const info = await handle.stat();
  if (!info.isFile()) {
    await handle.close();
    throw new AppError('CHECKPOINT_INVALID', `${path}: not a regular file`);
  }
  let closing: Promise<void> | undefined;
  return { path, handle, size: info.size, close: () => (closing ??= handle.close()) };
}

/**
 * Opens a checkpoint file and parses it: an empty file is FILE_TRUNCATED; the file is closed when parsing fails
 * and otherwise left open for the parsed checkpoint's reads.
 */
export async function openParsed<T>(path: string, namedBy: string | undefined, parse: (file: OpenFile) => Promise<T>): Promise<T> {
  const file = await openFile(path, namedBy);
  try {
    if (file.size === 0) throw new AppError('FILE_TRUNCATED', `${file.path}: the file is empty`);
    return await parse(file);
  } catch (error) {
    await file.close();
    throw error;
  }
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

export function truncatedError(file: OpenFile, what: string, end: number): AppError {
  return new AppError(
    'FILE_TRUNCATED',
    `${file.path}: ${what} ends at byte ${end} but the file has only ${file.size} bytes`,
    { hint: 'The file is incomplete (an interrupted download or copy?): fetch it again.' },
  );
}

/** Fills `target` from `position`; reading past the end of the file is FILE_TRUNCATED. */
export async function readInto(file: OpenFile, target: Uint8Array, position: number, what = 'data'): Promise<void> {
  const end = position + target.byteLength;
  if (end > file.size) throw truncatedError(file, what, end);
  let done = 0;
  while (done < target.byteLength) {
    const { bytesRead } = await file.handle.read(target, done, target.byteLength - done, position + done);
    if (bytesRead === 0) throw truncatedError(file, what, end);
    done += bytesRead;
  }
}

export async function readAt(file: OpenFile, position: number, length: number, what = 'data'): Promise<Buffer> {
  const buffer = Buffer.allocUnsafeSlow(length);
  await readInto(file, buffer, position, what);
  return buffer;
}
