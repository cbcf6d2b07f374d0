import { AppError } from '../../core/errors.ts';
import type { FileWriter, StoredFile } from './downloadFile.ts';
import { isQuotaError, quotaError } from './quota.ts';

/**
 * One file in the Origin Private File System, written in place. In a worker (where the engine runs) a
 * sync access handle writes straight to disk, so a tab that is closed mid-download keeps every byte written.
 * On the page only `createWritable` exists: it writes to a swap file that lands on `close()`, which the
 * downloader calls after every attempt, failed ones included.
 */
export function opfsStoredFile(handle: FileSystemFileHandle): StoredFile {
  return {
    size: async () => (await handle.getFile()).size,
    open: (offset) => (hasSyncAccess(handle) ? openSyncWriter(handle, offset) : openStreamWriter(handle, offset)),
    stream: (end) => {
      // A ReadableStream that opens the file lazily, so `stream` can stay synchronous.
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          reader ??= (await handle.getFile()).slice(0, end).stream().getReader();
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: () => reader?.cancel(),
      });
    },
  };
}

/** Reads a whole file: the one copy of its bytes in JS memory is the array returned. */
export async function readOpfsFile(handle: FileSystemFileHandle): Promise<Uint8Array> {
  return new Uint8Array(await (await handle.getFile()).arrayBuffer());
}

/** Replaces a small file's contents in one step (the cache index, a manifest). */
export async function writeWholeFile(handle: FileSystemFileHandle, bytes: Uint8Array): Promise<void> {
  const writer = await (hasSyncAccess(handle) ? openSyncWriter(handle, 0) : openStreamWriter(handle, 0));
  try {
    await writer.write(bytes);
  } finally {
    await writer.close();
  }
}

/** The parts of FileSystemSyncAccessHandle used here (the type lives in TypeScript's worker library only). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}

type WithSyncAccess = FileSystemFileHandle & { createSyncAccessHandle(): Promise<SyncAccessHandle> };

function hasSyncAccess(handle: FileSystemFileHandle): handle is WithSyncAccess {
  return typeof (handle as Partial<WithSyncAccess>).createSyncAccessHandle === 'function';
}

async function openSyncWriter(handle: WithSyncAccess, offset: number): Promise<FileWriter> {
  const access = await storageCall(handle.name, () => handle.createSyncAccessHandle());
  let position = offset;
  try {
    access.truncate(offset);
  } catch (error) {
    access.close();
    throw storageError(handle.name, error);
  }
  return {
    write: async (chunk) => {
      let written: number;
      try {
        written = access.write(chunk, { at: position });
      } catch (error) {
        throw storageError(handle.name, error, chunk.byteLength);
      }
      // A short write is what a full disk looks like on some platforms.
      if (written !== chunk.byteLength) throw quotaError(chunk.byteLength - written, null);
      position += written;
    },
    close: async () => {
      try {
        access.flush();
      } finally {
        access.close();
      }
    },
  };
}

async function openStreamWriter(handle: FileSystemFileHandle, offset: number): Promise<FileWriter> {
  const stream = await storageCall(handle.name, () => handle.createWritable({ keepExistingData: offset > 0 }));
  try {
    await stream.truncate(offset);
    await stream.seek(offset);
  } catch (error) {
    await stream.abort().catch(() => undefined);
    throw storageError(handle.name, error);
  }
  return {
    write: async (chunk) => {
      try {
        await stream.write(chunk as Uint8Array<ArrayBuffer>);
      } catch (error) {
        throw storageError(handle.name, error, chunk.byteLength);
      }
    },
    close: () => storageCall(handle.name, () => stream.close()),
  };
}

async function storageCall<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storageError(name, error);
  }
}

/** Browser storage exceptions as AppErrors: a full quota gets its own code, the rest say which file. */
export function storageError(name: string, error: unknown, bytesNeeded = 0): AppError {
  if (error instanceof AppError) return error;
  if (isQuotaError(error)) return quotaError(bytesNeeded, null, error);
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new AppError('STORAGE_UNAVAILABLE', `The browser's storage refused ${decodeURIComponent(name)}: ${detail}.`, {
    hint: 'Another tab may be using the same model: close it and try again. Private windows and some browsers limit site storage.',
    cause: error,
  });
}

/**
 * A folder `name` at the top of this origin's private file system (created if absent), where one of the app's
 * caches keeps `what` ("the model"). A browser without OPFS, or one that refuses it, fails with STORAGE_UNAVAILABLE
 * and `hint`, or with the storage error that says why.
 */
export async function opfsCacheRoot(name: string, what: string, hint: string): Promise<FileSystemDirectoryHandle> {
  if (typeof navigator === 'undefined' || typeof navigator.storage?.getDirectory !== 'function') {
    throw new AppError('STORAGE_UNAVAILABLE', `This browser has no Origin Private File System to keep ${what} in.`, { hint });
  }
  try {
    return await (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true });
  } catch (error) {
    throw storageError(name, error);
  }
}
