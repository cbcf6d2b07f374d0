import type { ImageInput } from '../../../../src/core/engine/images.ts';
import type { BundleSource } from '../../../../src/core/engine/load.ts';
import type { BenchMessage, BenchRequest, BenchResume } from './protocol.ts';

/** What page.evaluate can carry: image bytes as plain arrays; `source: 'folder'` takes the files picked in the folder input. */
type PlainRequest = Omit<BenchRequest, 'images' | 'source'> & { images: Array<{ name: string; bytes: number[] }>; source: BundleSource | 'folder' };

const folderInput = document.querySelector<HTMLInputElement>('#folder')!;
const notes: string[] = [];
/** The running scenario's worker, and whether it is held after its load (`holdAfterLoad`). */
let running: Worker | null = null;
let loaded: false | Extract<BenchMessage, { type: 'loaded' }> = false;

/** Runs one scenario in a fresh engine worker; the Node side calls it with page.evaluate and polls `notes`. */
async function runBench(plain: PlainRequest): Promise<BenchMessage> {
  const images: ImageInput[] = plain.images.map((image) => ({ name: image.name, bytes: Uint8Array.from(image.bytes) }));
  const source: BundleSource = plain.source === 'folder' ? { kind: 'files', files: [...(folderInput.files ?? [])].map((file) => ({ path: file.webkitRelativePath, file })) } : plain.source;
  const worker = new Worker(new URL('./benchWorker.ts', import.meta.url), { type: 'module', name: 'engine-bench' });
  running = worker;
  loaded = false;
  try {
    return await new Promise<BenchMessage>((resolve, reject) => {
      worker.onmessage = (message: MessageEvent<BenchMessage>) => {
        if (message.data.type === 'note') notes.push(message.data.line);
        else if (message.data.type === 'loaded') loaded = message.data;
        else resolve(message.data);
      };
      worker.onerror = (event) => reject(new Error(`engine bench worker failed: ${event.message}`));
      worker.postMessage({ ...plain, images, source } satisfies BenchRequest);
    });
  } finally {
    worker.terminate();
    running = null;
  }
}

/** Whether the running scenario is held (after its load, or at a soak checkpoint): the worker's message, else false. */
function isLoaded(): false | Extract<BenchMessage, { type: 'loaded' }> {
  return loaded;
}

/** Lets a held scenario go on. */
function resumeBench(): void {
  loaded = false;
  running?.postMessage({ type: 'resume' } satisfies BenchResume);
}

/** Notes since the last call. */
function takeNotes(): string[] {
  return notes.splice(0);
}

Object.assign(globalThis, { runBench, takeNotes, isLoaded, resumeBench });
document.title = 'engine bench ready';
