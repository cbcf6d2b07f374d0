import type { HarnessCall, HarnessReply } from './protocol.ts';

/** The page the GPU-failure tests drive: `window.gpuHarness.call(...)` forwards to one engine worker. */
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'engine-gpu-harness' });
let nextId = 0;
const pending = new Map<number, (reply: HarnessReply) => void>();
worker.onmessage = (message: MessageEvent<{ id: number; reply: HarnessReply }>) => {
  pending.get(message.data.id)?.(message.data.reply);
  pending.delete(message.data.id);
};
worker.onerror = (event) => {
  for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'WORKER_FAILED', message: event.message } });
  pending.clear();
};

function call(data: HarnessCall): Promise<HarnessReply> {
  const id = nextId++;
  // Image bytes arrive from page.evaluate as plain arrays.
  if (data.call === 'encode') data = { ...data, images: data.images.map((image) => ({ name: image.name, bytes: Uint8Array.from(image.bytes) })) };
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, data });
  });
}

(globalThis as unknown as { gpuHarness: { call: typeof call } }).gpuHarness = { call };
document.title = 'gpu harness ready';
