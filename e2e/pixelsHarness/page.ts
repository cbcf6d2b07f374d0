import { workerCalls } from '../../tools/browser/harness/pageCalls.ts';
import type { PixelsCall, PixelsReply } from './protocol.ts';

/** The page the decoding tests drive: `window.pixelsHarness.call(...)` forwards to one module worker. */
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'pixels-harness' });
const call = workerCalls<PixelsCall, PixelsReply>(worker, (message) => ({ ok: false, error: { code: 'WORKER_FAILED', message } }));

(globalThis as unknown as { pixelsHarness: { call: typeof call } }).pixelsHarness = { call };
document.title = 'pixels harness ready';
