import { describe, expect, it } from 'vitest';
import { filesFromDrop } from './folderFiles.ts';

/** A folder tree as the browser's entries give it: directories read in batches of `batch`. */
function entry(name: string, tree: Record<string, unknown> | string, batch = 2): FileSystemEntry {
  if (typeof tree === 'string') {
    return { name, isFile: true, isDirectory: false, file: (resolve: (file: File) => void) => resolve(new File([tree], name)) } as unknown as FileSystemEntry;
  }
  const children = Object.entries(tree).map(([child, sub]) => entry(child, sub as Record<string, unknown> | string, batch));
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let at = 0;
      return { readEntries: (resolve: (entries: FileSystemEntry[]) => void) => resolve(children.slice(at, (at += batch))) };
    },
  } as unknown as FileSystemEntry;
}
const item = (e: FileSystemEntry | null) => ({ webkitGetAsEntry: () => e });

describe('filesFromDrop', () => {
  it('walks a dropped folder of folders to every file, reading each folder in batches, with its path', async () => {
    const set = entry('set', { ref: { '1.png': 'r1', '2.png': 'r2', '3.png': 'r3' }, ours: { '1.png': 'o1' }, 'notes.txt': 'n' });
    const files = await filesFromDrop([item(set)]);
    expect(files.map((f) => f.path).sort()).toEqual(['set/notes.txt', 'set/ours/1.png', 'set/ref/1.png', 'set/ref/2.png', 'set/ref/3.png']);
    expect(await files.find((f) => f.path === 'set/ref/3.png')!.file.text()).toBe('r3');
  });

  it('takes several dropped folders side by side, and skips items that are not entries', async () => {
    const files = await filesFromDrop([item(entry('a', { 'x.png': 'ax' })), item(null), item(entry('b', { 'x.png': 'bx' }))]);
    expect(files.map((f) => f.path)).toEqual(['a/x.png', 'b/x.png']);
  });
});
