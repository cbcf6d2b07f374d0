import { deserializeError } from '../../src/core/errors.ts';
import { workerCalls } from '../../tools/browser/harness/pageCalls.ts';
import type { BundleHarness, WorkerCall, WorkerReply } from './protocol.ts';
import { cacheApi, measureHashSpeed, runLoad } from './scenario.ts';

/**
 * The page that browser tests drive the bundle loader from: `window.bundleHarness`. Built only by the browser
 * tests (never part of the app), served with the app's COOP/COEP headers.
 */
const picker = document.querySelector<HTMLInputElement>('#folder')!;
const pickedFiles = () => [...(picker.files ?? [])];

let toWorker: ((call: WorkerCall) => Promise<WorkerReply>) | undefined;

async function callWorker<T>(call: WorkerCall): Promise<T> {
  toWorker ??= workerCalls<WorkerCall, WorkerReply>(new Worker(new URL('./harnessWorker.ts', import.meta.url), { type: 'module' }), (message) => ({
    error: { code: 'WORKER_FAILED', message },
  }));
  const reply = await toWorker(call);
  if ('error' in reply) throw deserializeError(reply.error);
  return reply.value as T;
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
