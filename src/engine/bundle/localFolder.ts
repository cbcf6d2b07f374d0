import { AppError } from '../../core/errors.ts';

/** A file of a local bundle folder with its path inside the folder (drag and drop gives no webkitRelativePath). */
export interface LocalFile {
  path: string;
  file: File;
}

/** A folder on the user's disk, read without copying it anywhere. */
export interface LocalFolder {
  /** The folder's name, for messages. */
  name: string;
  /** A file by its bundle path (relative to the folder holding manifest.json); null when absent. */
  file(path: string): Promise<File | null>;
}

const MANIFEST = 'manifest.json';

/**
 * A folder from `<input webkitdirectory>` or a drop: the bundle's root is where the shallowest manifest.json
 * is, so choosing the bundle folder itself or its parent both work.
 */
export function folderFromFiles(files: ReadonlyArray<File | LocalFile>): LocalFolder {
  const entries = files.map((entry) =>
    entry instanceof File ? { path: entry.webkitRelativePath || entry.name, file: entry } : { path: entry.path, file: entry.file },
  );
  const manifests = entries
    .map((entry) => entry.path.replace(/^\/+/, ''))
    .filter((path) => path === MANIFEST || path.endsWith(`/${MANIFEST}`))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const manifestPath = manifests[0];
  const folderName = entries[0]?.path.split('/')[0] ?? '';
  if (manifestPath === undefined) {
    throw new AppError('BUNDLE_NOT_FOUND', `The chosen folder${folderName ? ` "${folderName}"` : ''} has no manifest.json (${entries.length} files).`, {
      hint: 'Choose the folder that `npm run convert` wrote: it holds manifest.json, tokenizer.json and onnx/.',
    });
  }
  const root = manifestPath.slice(0, manifestPath.length - MANIFEST.length);
  const byPath = new Map<string, File>();
  for (const entry of entries) {
    const path = entry.path.replace(/^\/+/, '');
    if (path.startsWith(root)) byPath.set(path.slice(root.length), entry.file);
  }
  return {
    name: root.replace(/\/$/, '').split('/').pop() || folderName || 'folder',
    file: async (path) => byPath.get(path) ?? null,
  };
}

/** A folder from the File System Access API (`showDirectoryPicker`, or a dropped item's handle). */
export async function folderFromHandle(handle: FileSystemDirectoryHandle): Promise<LocalFolder> {
  let root = handle;
  if ((await childFile(handle, MANIFEST)) === null) {
    // The user may have picked the folder above the bundle: accept it when exactly one child is a bundle.
    const bundles: FileSystemDirectoryHandle[] = [];
    for await (const [, child] of entriesOf(handle)) {
      if (child.kind === 'directory' && (await childFile(child as FileSystemDirectoryHandle, MANIFEST)) !== null) {
        bundles.push(child as FileSystemDirectoryHandle);
      }
    }
    if (bundles.length !== 1) {
      throw new AppError('BUNDLE_NOT_FOUND', `The folder "${handle.name}" has no manifest.json${bundles.length > 1 ? ', and several of its folders have one' : ''}.`, {
        hint: 'Choose the folder that `npm run convert` wrote: it holds manifest.json, tokenizer.json and onnx/.',
      });
    }
    root = bundles[0]!;
  }
  return {
    name: root.name,
    file: async (path) => {
      const parts = path.split('/');
      let dir = root;
      for (const part of parts.slice(0, -1)) {
        const next = await optional(() => dir.getDirectoryHandle(part));
        if (next === null) return null;
        dir = next;
      }
      const file = await childFile(dir, parts[parts.length - 1]!);
      return file === null ? null : file.getFile();
    },
  };
}

function childFile(dir: FileSystemDirectoryHandle, name: string): Promise<FileSystemFileHandle | null> {
  return optional(() => dir.getFileHandle(name));
}

function entriesOf(dir: FileSystemDirectoryHandle): AsyncIterable<[string, FileSystemHandle]> {
  return (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}

async function optional<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: unknown }).name;
    // NotFound: absent. TypeMismatch: a folder where a file was expected (or the reverse).
    if (name === 'NotFoundError' || name === 'TypeMismatchError') return null;
    throw error;
  }
}
