import { pathOfStoredFile, storedFileName } from './cacheKey.ts';
import { entriesOf, unlessAbsent } from './directoryHandle.ts';
import { opfsCacheRoot, storageError, writeWholeFile } from './opfsFile.ts';

/**
 * One download cache in the Origin Private File System, for the bundles and for the sentence model alike:
 *   <root>/<key>/<name>          small JSON and text files (an index, a manifest)
 *   <root>/<key>/files/<path>    each downloaded file under its escaped path (partial while downloading)
 * Each entry has a Web Lock, so two tabs (or a load and a delete) never write the same files at once.
 */
export class OpfsCache {
  constructor(
    /** The root folder's name in the Origin Private File System. */
    private readonly rootName: string,
    /** What the cache holds, for messages ("the model", "the sentence model"). */
    readonly what: string,
    /** What to do when the browser has no Origin Private File System. */
    private readonly hint: string,
    /** The Web Lock names' prefix. */
    private readonly lockPrefix: string,
  ) {}

  root(): Promise<FileSystemDirectoryHandle> {
    return opfsCacheRoot(this.rootName, this.what, this.hint);
  }

  /** One entry's folder; null when `create` is false and nothing is cached under `key`. */
  async entry(key: string, create: boolean): Promise<OpfsEntry | null> {
    const root = await this.root();
    const dir = await this.optional(() => root.getDirectoryHandle(key, { create }));
    if (dir === null) return null;
    return new OpfsEntry(this, key, dir, await dir.getDirectoryHandle(FILES_NAME, { create: true }));
  }

  /** The keys of every entry. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const [key, handle] of entriesOf(await this.root())) if (handle.kind === 'directory') keys.push(key);
    return keys;
  }

  /** Removes one entry, after any work holding its lock (in any tab) ends. */
  async delete(key: string): Promise<void> {
    const root = await this.root();
    await this.withLock(key, async () => {
      try {
        await root.removeEntry(key, { recursive: true });
      } catch (error) {
        if ((error as { name?: unknown }).name !== 'NotFoundError') throw storageError(key, error);
      }
    });
  }

  /** Runs `task` holding the entry's Web Lock; the second caller waits. Without Web Locks (old browsers) it just runs. */
  async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (typeof navigator === 'undefined' || navigator.locks === undefined) return task();
    return navigator.locks.request(`${this.lockPrefix}:${key}`, task);
  }

  /** null for NotFoundError, the call's value otherwise; other failures become storage errors naming the cache. */
  async optional<T>(call: () => Promise<T>): Promise<T | null> {
    try {
      return await unlessAbsent(call);
    } catch (error) {
      throw storageError(`${this.what} cache`, error);
    }
  }
}

const FILES_NAME = 'files';

/** One cached entry's folder: its small files by name, and its downloaded files by path. */
export class OpfsEntry {
  constructor(
    private readonly cache: OpfsCache,
    readonly key: string,
    private readonly dir: FileSystemDirectoryHandle,
    private readonly filesDir: FileSystemDirectoryHandle,
  ) {}

  async readText(name: string): Promise<string | null> {
    const handle = await this.cache.optional(() => this.dir.getFileHandle(name));
    return handle === null ? null : (await handle.getFile()).text();
  }

  async writeText(name: string, text: string): Promise<void> {
    const handle = await this.dir.getFileHandle(name, { create: true });
    await writeWholeFile(handle, new TextEncoder().encode(text));
  }

  /** A small JSON file, parsed; null when absent or not JSON. */
  async readJson(name: string): Promise<unknown> {
    const text = await this.readText(name);
    if (text === null) return null;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return null;
    }
  }

  writeJson(name: string, value: unknown): Promise<void> {
    return this.writeText(name, JSON.stringify(value));
  }

  /** The stored file for a path; null when absent and `create` is false. */
  file(path: string, create: boolean): Promise<FileSystemFileHandle | null> {
    return this.cache.optional(() => this.filesDir.getFileHandle(storedFileName(path), { create }));
  }

  async storedSize(path: string): Promise<number> {
    const handle = await this.file(path, false);
    return handle === null ? 0 : (await handle.getFile()).size;
  }

  async removeFile(path: string): Promise<void> {
    await this.cache.optional(() => this.filesDir.removeEntry(storedFileName(path)));
  }

  /** Stored paths and their sizes on disk. */
  async storedFiles(): Promise<Map<string, number>> {
    const sizes = new Map<string, number>();
    for await (const [name, handle] of entriesOf(this.filesDir)) {
      if (handle.kind === 'file') sizes.set(pathOfStoredFile(name), (await (handle as FileSystemFileHandle).getFile()).size);
    }
    return sizes;
  }
}
