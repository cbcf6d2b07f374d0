import { deserializeError, type SerializedError } from '../../src/core/errors.ts';
import type { BundleHarness } from './protocol.ts';
import { cacheApi, measureHashSpeed, runLoad } from './scenario.ts';

/**
 * The page that browser tests drive the bundle loader from: `window.bundleHarness`. Built only by the browser
 * tests (never part of the app), served with the app's COOP/COEP headers.
 */
const picker = document.querySelector<HTMLInputElement>('#folder')!;
const pickedFiles = () => [...(picker.files ?? [])];

let worker: Worker | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();

function callWorker<T>(message: Record<string, unknown>): Promise<T> {
  if (worker === undefined) {
    // Built next to this page by the test setup, as harnessWorker.js.
    worker = new Worker(new URL('harnessWorker.js', location.href), { type: 'module' });
    worker.onmessage = (event: MessageEvent<{ id: number; value?: unknown; error?: SerializedError }>) => {
      const call = pending.get(event.data.id);
      pending.delete(event.data.id);
      if (event.data.error !== undefined) call?.reject(deserializeError(event.data.error));
      else call?.resolve(event.data.value);
    };
  }
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    worker!.postMessage({ id, ...message });
  });
}

const harness: BundleHarness = {
  load: (request) => (request.where === 'worker' ? callWorker({ call: 'load', request, picked: pickedFiles() }) : runLoad(request, pickedFiles())),
  listCached: (where) => (where === 'worker' ? callWorker({ call: 'list' }) : cacheApi.list()),
  deleteCached: (key) => cacheApi.delete(key),
  clearCache: () => cacheApi.clear(),
  async copyToOpfsFolder(url, paths, name) {
    let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(name, { create: true });
    const root = dir;
    for (const path of paths) {
      dir = root;
      const parts = path.split('/');
      for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
      const response = await fetch(new URL(path, url));
      const writable = await (await dir.getFileHandle(parts[parts.length - 1]!, { create: true })).createWritable();
      await writable.write(await response.arrayBuffer());
      await writable.close();
    }
  },
  async damageCachedFile(key, path) {
    const root = await (await navigator.storage.getDirectory()).getDirectoryHandle('depictqa-bundles');
    const files = await (await root.getDirectoryHandle(key)).getDirectoryHandle('files');
    const handle = await files.getFileHandle(encodeURIComponent(path));
    const bytes = new Uint8Array(await (await handle.getFile()).arrayBuffer());
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    const writable = await handle.createWritable();
    await writable.write(bytes);
    await writable.close();
  },
  hashSpeed: (megabytes, where) => (where === 'worker' ? callWorker({ call: 'hashSpeed', megabytes }) : measureHashSpeed(megabytes)),
};

(window as unknown as { bundleHarness: BundleHarness }).bundleHarness = harness;
document.body.dataset.ready = 'true';
