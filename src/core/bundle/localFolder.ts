import { AppError } from '../errors.ts';

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
  /** The file's handle, for a folder from the File System Access API (sync reads of OPFS files use it). */
  fileHandle?(path: string): Promise<FileSystemFileHandle | null>;
}

/** The file that marks a bundle's root folder. */
export const MANIFEST_FILE = 'manifest.json';

/** What to do when a chosen folder holds no bundle. */
export const BUNDLE_FOLDER_HINT = 'Choose the folder that `npm run convert` wrote: it holds manifest.json, tokenizer.json and onnx/.';

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
    .filter((path) => path === MANIFEST_FILE || path.endsWith(`/${MANIFEST_FILE}`))
    .sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  const manifestPath = manifests[0];
  const folderName = entries[0]?.path.split('/')[0] ?? '';
  if (manifestPath === undefined) {
    throw new AppError('BUNDLE_NOT_FOUND', `The chosen folder${folderName ? ` "${folderName}"` : ''} has no manifest.json (${entries.length} files).`, {
      hint: BUNDLE_FOLDER_HINT,
    });
  }
  const root = manifestPath.slice(0, manifestPath.length - MANIFEST_FILE.length);
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
