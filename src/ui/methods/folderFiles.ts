/** Files given as folders: dropped (the browser gives a folder as an entry to walk) or chosen with a folder input. */

/** A file with its path below what was dropped or chosen: `method/0801.png`, or `set/method/0801.png`. */
export interface PathFile {
  path: string;
  file: File;
}

/** The parts of the File and Directory Entries API a drop needs (DataTransferItem.webkitGetAsEntry). */
type DropItem = Pick<DataTransferItem, 'webkitGetAsEntry'>;

/** The files of a drop, every dropped folder walked to its files, each with its path from the dropped item. */
export async function filesFromDrop(items: Iterable<DropItem> | ArrayLike<DropItem>): Promise<PathFile[]> {
  const entries = Array.from(items as ArrayLike<DropItem>, (item) => item.webkitGetAsEntry()).filter((entry) => entry !== null);
  const out: PathFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: `${prefix}${entry.name}`, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries gives a folder's entries in batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, '');
  return out;
}

/** Files of an `<input webkitdirectory>`: their paths below the chosen folder's parent. */
export function filesFromInput(files: readonly File[]): PathFile[] {
  return files.map((file) => ({ path: file.webkitRelativePath === '' ? file.name : file.webkitRelativePath, file }));
}
