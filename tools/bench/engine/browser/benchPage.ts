import type { ImageInput } from '../../../../src/core/engine/images.ts';
import type { BundleSource } from '../../../../src/core/engine/load.ts';
import { workerCalls } from '../../../browser/harness/pageCalls.ts';
import type { BenchCall, BenchEvent, BenchMessage, BenchRequest } from './protocol.ts';

/** What page.evaluate can carry: image bytes as plain arrays; `source: 'folder'` takes the files picked in the folder input. */
type PlainRequest = Omit<BenchRequest, 'images' | 'source'> & { images: Array<{ name: string; bytes: number[] }>; source: BundleSource | 'folder' };

const folderInput = document.querySelector<HTMLInputElement>('#folder')!;
const notes: string[] = [];
/** The running scenario's calls, and whether it is held after its load (`holdAfterLoad`). */
let running: ((call: BenchCall) => Promise<BenchMessage>) | null = null;
let loaded: false | Extract<BenchEvent, { type: 'loaded' }> = false;

/** Runs one scenario in a fresh engine worker; the Node side calls it with page.evaluate and polls `notes`. */
async function runBench(plain: PlainRequest): Promise<BenchMessage> {
  const images: ImageInput[] = plain.images.map((image) => ({ name: image.name, bytes: Uint8Array.from(image.bytes) }));
  const source: BundleSource = plain.source === 'folder' ? { kind: 'files', files: [...(folderInput.files ?? [])].map((file) => ({ path: file.webkitRelativePath, file })) } : plain.source;
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module', name: 'engine-bench' });
  const call = workerCalls<BenchCall, BenchMessage, BenchEvent>(
    worker,
    (message) => ({ type: 'failed', error: { code: 'INTERNAL', message: `engine bench worker failed: ${message}` } }),
    (event) => {
      if (event.type === 'note') notes.push(event.line);
      else loaded = event;
    },
  );
  running = call;
  loaded = false;
  try {
    return await call({ kind: 'run', request: { ...plain, images, source } });
  } finally {
    worker.terminate();
    running = null;
  }
}

/** Whether the running scenario is held (after its load, or at a soak checkpoint): the worker's event, else false. */
function isLoaded(): false | Extract<BenchEvent, { type: 'loaded' }> {
  return loaded;
}

/** Lets a held scenario go on. */
function resumeBench(): void {
  loaded = false;
  void running?.({ kind: 'resume' });
}

/** Notes since the last call. */
function takeNotes(): string[] {
  return notes.splice(0);
}

Object.assign(globalThis, { runBench, takeNotes, isLoaded, resumeBench });
document.title = 'engine bench ready';
