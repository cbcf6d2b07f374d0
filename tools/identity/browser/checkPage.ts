import { withBytes, workerCalls } from '../../browser/harness/pageCalls.ts';
import type { CheckRequest, CheckResult } from './protocol.ts';

/** What page.evaluate can carry: image bytes as plain arrays. */
type PlainRequest = Omit<CheckRequest, 'images'> & { images: Record<string, { name: string; bytes: number[] }> };

/** Runs one check in a fresh engine worker; the Node side calls it with page.evaluate. */
async function runCheck(plain: PlainRequest): Promise<CheckResult> {
  const images = Object.fromEntries(Object.entries(plain.images).map(([slot, image]) => [slot, withBytes(image)]));
  const request = { ...plain, images } as CheckRequest;
  const worker = new Worker(new URL('./checkWorker.ts', import.meta.url), { type: 'module', name: 'engine-check' });
  try {
    return await workerCalls<CheckRequest, CheckResult>(worker, (message) => ({ ok: false, error: { code: 'WORKER_FAILED', message: `engine check worker failed: ${message}` } }))(request);
  } finally {
    worker.terminate();
  }
}

(globalThis as unknown as { runCheck: typeof runCheck }).runCheck = runCheck;
document.title = 'engine check ready';

