import { describe, expect, it } from 'vitest';
import { filesOfEntries, type DroppedEntry } from './droppedFolder.ts';

/** A folder tree as drop entries; directories answer readEntries in batches of `batch`, as Chromium does with 100. */
function tree(path: string, content: Record<string, unknown>, batch = 2): DroppedEntry {
  const name = path.split('/').pop()!;
  const children = Object.entries(content).map(([child, value]) =>
    typeof value === 'string'
      ? { isFile: true, isDirectory: false, name: child, fullPath: `${path}/${child}`, file: (ok: (file: File) => void) => ok(new File([value], child)) }
      : tree(`${path}/${child}`, value as Record<string, unknown>, batch),
  );
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath: path,
    createReader: () => {
      let next = 0;
      return {
        readEntries: (ok: (entries: DroppedEntry[]) => void) => {
          ok(children.slice(next, next + batch));
          next += batch;
        },
      };
    },
  } as DroppedEntry;
}

describe('filesOfEntries', () => {
  it('lists every file of a dropped folder with paths like <input webkitdirectory>, reading all batches', async () => {
    const bundle = tree('/bundle', { 'manifest.json': '{}', 'tokenizer.json': 't', onnx: { 'a.onnx': 'a', 'a.onnx_data': 'd', 'b.onnx': 'b' } });
    const files = await filesOfEntries([bundle]);
    expect(files.map((entry) => entry.path).sort()).toEqual(['bundle/manifest.json', 'bundle/onnx/a.onnx', 'bundle/onnx/a.onnx_data', 'bundle/onnx/b.onnx', 'bundle/tokenizer.json']);
    expect(await files.find((entry) => entry.path === 'bundle/onnx/a.onnx_data')!.file.text()).toBe('d');
  });

  it('passes a refused read on as a rejection', async () => {
    const broken = { isFile: true, isDirectory: false, name: 'x', fullPath: '/x', file: (_ok: unknown, fail: (error: DOMException) => void) => fail(new DOMException('gone', 'NotFoundError')) };
    await expect(filesOfEntries([broken as unknown as DroppedEntry])).rejects.toThrow('gone');
  });
});
