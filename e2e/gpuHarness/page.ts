import { withBytes, workerCalls } from '../../tools/browser/harness/pageCalls.ts';
import type { HarnessCall, HarnessReply } from './protocol.ts';

/** The page the GPU-failure tests drive: `window.gpuHarness.call(...)` forwards to one engine worker. */
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'engine-gpu-harness' });
const toWorker = workerCalls<HarnessCall, HarnessReply>(worker, (message) => ({ ok: false, error: { code: 'WORKER_FAILED', message } }));

// Image bytes arrive from page.evaluate as plain arrays.
const call = (data: HarnessCall): Promise<HarnessReply> => toWorker(data.call === 'encode' ? { ...data, images: data.images.map(withBytes) } : data);

(globalThis as unknown as { gpuHarness: { call: typeof call } }).gpuHarness = { call };
document.title = 'gpu harness ready';
