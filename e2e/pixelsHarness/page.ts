import type { PixelsCall, PixelsReply } from './protocol.ts';

/** The page the decoding tests drive: `window.pixelsHarness.call(...)` forwards to one module worker. */
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'pixels-harness' });
let nextId = 0;
const pending = new Map<number, (reply: PixelsReply) => void>();
worker.onmessage = (message: MessageEvent<{ id: number; reply: PixelsReply }>) => {
  pending.get(message.data.id)?.(message.data.reply);
  pending.delete(message.data.id);
};
worker.onerror = (event) => {
  for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'WORKER_FAILED', message: event.message } });
  pending.clear();
};

function call(data: PixelsCall): Promise<PixelsReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ id, data });
  });
}

(globalThis as unknown as { pixelsHarness: { call: typeof call } }).pixelsHarness = { call };
document.title = 'pixels harness ready';
