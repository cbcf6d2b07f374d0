import { AppError } from '../../core/errors.ts';
import { BUNDLE_FOLDER_HINT, MANIFEST_FILE, type LocalFolder } from '../../core/bundle/localFolder.ts';
import { entriesOf, unlessAbsent } from './directoryHandle.ts';

/** A folder from the File System Access API (`showDirectoryPicker`, or a dropped item's handle). */
export async function folderFromHandle(handle: FileSystemDirectoryHandle): Promise<LocalFolder> {
  let root = handle;
  if ((await childFile(handle, MANIFEST_FILE)) === null) {
    // The user may have picked the folder above the bundle: accept it when exactly one child is a bundle.
    const bundles: FileSystemDirectoryHandle[] = [];
    for await (const [, child] of entriesOf(handle)) {
      if (child.kind === 'directory' && (await childFile(child as FileSystemDirectoryHandle, MANIFEST_FILE)) !== null) {
        bundles.push(child as FileSystemDirectoryHandle);
      }
    }
    if (bundles.length !== 1) {
      throw new AppError('BUNDLE_NOT_FOUND', `The folder "${handle.name}" has no manifest.json${bundles.length > 1 ? ', and several of its folders have one' : ''}.`, {
        hint: BUNDLE_FOLDER_HINT,
      });
    }
    root = bundles[0]!;
  }
  const fileHandle = async (path: string) => {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) {
      const next = await unlessAbsent(() => dir.getDirectoryHandle(part), ['TypeMismatchError']);
      if (next === null) return null;
      dir = next;
    }
    return childFile(dir, parts[parts.length - 1]!);
  };
  return {
    name: root.name,
    file: async (path) => (await fileHandle(path))?.getFile() ?? null,
    fileHandle,
  };
}

function childFile(dir: FileSystemDirectoryHandle, name: string): Promise<FileSystemFileHandle | null> {
  return unlessAbsent(() => dir.getFileHandle(name), ['TypeMismatchError']);
}
