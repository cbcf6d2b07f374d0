import type { FileSlices } from '../../core/bundle/bundleFiles.ts';

/** The parts of FileSystemSyncAccessHandle used here (the type lives in TypeScript's worker library only). */
interface SyncReadHandle {
  read(buffer: Uint8Array, options: { at: number }): number;
  close(): void;
}

/** The shared buffer grows in steps of this size, to the largest part read. */
const GROWTH_BYTES = 16 * 2 ** 20;

/**
 * An OPFS file read in parts through a sync access handle, into one reused buffer: nothing is allocated per
 * read (see sharedBlobReads.ts for why that matters while onnxruntime creates a session). Null where there is
 * no sync access (a page, a folder outside OPFS) or the file is locked by another reader: the caller reads the
 * File instead. Each `read` returns a view that the next read overwrites.
 */
export async function opfsSyncSlices(handle: FileSystemFileHandle, byteLength: number): Promise<FileSlices | null> {
  const open = (handle as { createSyncAccessHandle?: () => Promise<SyncReadHandle> }).createSyncAccessHandle;
  if (typeof open !== 'function') return null;
  let access: SyncReadHandle;
  try {
    access = await open.call(handle);
  } catch {
    return null;
  }
  let buffer = new Uint8Array(0);
  return {
    byteLength,
    reader: 'opfs-sync',
    read(offset, length) {
      if (buffer.byteLength < length) buffer = new Uint8Array(Math.ceil(length / GROWTH_BYTES) * GROWTH_BYTES);
      const view = buffer.subarray(0, length);
      for (let done = 0; done < length; ) {
        const got = access.read(view.subarray(done), { at: offset + done });
        if (got === 0) throw new Error(`the file ended at byte ${offset + done}, before ${offset + length}`);
        done += got;
      }
      return view;
    },
    close: () => access.close(),
  };
}
