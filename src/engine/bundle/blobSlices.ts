import type { FileSlices } from '../../core/bundle/bundleFiles.ts';
import { AppError } from '../../core/errors.ts';
import { createSha256, hashStream } from '../../core/sha256.ts';
import { canShareReads, sharedBlobSlices } from './sharedBlobReads.ts';

/** FileReaderSync, of workers only (TypeScript's DOM library does not declare it). */
interface SyncReader {
  readAsArrayBuffer(blob: Blob): ArrayBuffer;
}

function syncReaderClass(): (new () => SyncReader) | undefined {
  return (globalThis as { FileReaderSync?: new () => SyncReader }).FileReaderSync;
}

/** Whether this context reads files synchronously (FileReaderSync: dedicated workers, where the engine runs). */
export function canReadBlobsInSlices(): boolean {
  return typeof syncReaderClass() === 'function';
}

/**
 * A file (from the user's folder or the OPFS cache) read in parts, synchronously, as onnxruntime-web's
 * external-data loader asks for them; each part is one `slice` of the file, so the whole file is never in
 * memory. Cross-origin isolated, a helper worker reads into one reused shared buffer (see sharedBlobReads.ts);
 * otherwise FileReaderSync reads each part into a new buffer. `unreadable` makes the error for a file that
 * changed or vanished since it was opened.
 */
export async function blobSlices(blob: Blob, unreadable: (cause: unknown) => AppError): Promise<FileSlices> {
  if (canShareReads()) {
    const shared = await sharedBlobSlices(blob, () => new Worker(new URL('../../../workers/blobReader.worker.ts', import.meta.url), { type: 'module', name: 'bundle-reader' }));
    // A helper that cannot start (a page whose policy forbids it) or cannot share memory with this worker leaves
    // FileReaderSync: more garbage, same bytes.
    if (shared !== null) return wrapErrors(shared, unreadable);
  }
  return fileReaderSlices(blob, unreadable);
}

/** `slices` with its read errors turned into `unreadable`'s AppError. */
export function wrapErrors(slices: FileSlices, unreadable: (cause: unknown) => AppError): FileSlices {
  return {
    byteLength: slices.byteLength,
    ...(slices.reader === undefined ? {} : { reader: slices.reader }),
    read(offset, length) {
      try {
        return slices.read(offset, length);
      } catch (cause) {
        throw unreadable(cause);
      }
    },
    close: () => slices.close(),
  };
}

function fileReaderSlices(blob: Blob, unreadable: (cause: unknown) => AppError): FileSlices {
  const Reader = syncReaderClass();
  if (Reader === undefined) throw new AppError('INTERNAL', 'Files can be read in parts only in a worker (FileReaderSync).');
  const reader = new Reader();
  return {
    byteLength: blob.size,
    reader: 'file-reader',
    read(offset, length) {
      try {
        return new Uint8Array(reader.readAsArrayBuffer(blob.slice(offset, offset + length)));
      } catch (cause) {
        throw unreadable(cause);
      }
    },
    close: () => undefined,
  };
}

/** The sha256 of a file read as a stream (a chunk at a time: a multi-gigabyte file is never held whole). */
export async function blobSha256(blob: Blob): Promise<string> {
  const hasher = await createSha256();
  await hashStream(hasher, blob.stream());
  return hasher.digestHex();
}
