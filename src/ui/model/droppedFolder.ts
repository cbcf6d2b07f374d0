import type { LocalFile } from '../../core/bundle/localFolder.ts';

/** The parts of the File and Directory Entries API a drop gives (`DataTransferItem.webkitGetAsEntry()`). */
export interface DroppedEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  /** Path from the drop's root, with a leading slash: "/bundle/onnx/x.onnx". */
  fullPath: string;
}
interface DroppedFileEntry extends DroppedEntry {
  file(success: (file: File) => void, failure?: (error: DOMException) => void): void;
}
interface DroppedDirectoryEntry extends DroppedEntry {
  createReader(): { readEntries(success: (entries: DroppedEntry[]) => void, failure?: (error: DOMException) => void): void };
}

/**
 * The entries of a drop, taken while the event is being handled (a DataTransfer is emptied once the handler
 * returns); null when no folder was dropped.
 */
export function droppedEntries(items: DataTransferItemList): DroppedEntry[] | null {
  const entries = [...items].map((item) => item.webkitGetAsEntry() as DroppedEntry | null).filter((entry) => entry !== null);
  return entries.some((entry) => entry.isDirectory) ? entries : null;
}

/** Every file under the dropped entries, with its path from the drop's root ("bundle/onnx/x.onnx"), as `<input webkitdirectory>` names them. */
export async function filesOfEntries(entries: readonly DroppedEntry[]): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  const visit = async (entry: DroppedEntry): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as DroppedFileEntry).file(resolve, reject));
      files.push({ path: entry.fullPath.replace(/^\/+/, ''), file });
      return;
    }
    const reader = (entry as DroppedDirectoryEntry).createReader();
    // readEntries answers in batches (100 in Chromium) until it gives an empty one.
    for (;;) {
      const batch = await new Promise<DroppedEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await visit(child);
    }
  };
  for (const entry of entries) await visit(entry);
  return files;
}
