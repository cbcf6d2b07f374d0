import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { releaseProxy, wrap, type Remote } from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { AppError } from '../../src/core/errors.ts';
import type { MetricsApi } from '../../src/core/metrics/metricsApi.ts';
import { registerErrorTransfer } from '../../workers/workerErrors.ts';

export interface NodeMetricsWorker {
  api: Remote<MetricsApi>;
  close(): Promise<void>;
}

/**
 * Starts cli/metrics/nodeWorker.ts in a worker_threads Worker and wraps it with Comlink: the metrics
 * run off the main thread as in the browser's worker, pixel buffers transferred both ways. Resolves
 * once the worker has loaded; rejects with WORKER_FAILED if it cannot.
 */
export async function startMetricsWorker(): Promise<NodeMetricsWorker> {
  registerErrorTransfer();
  // The entry is TypeScript, and Node 20 does not apply `--import` hooks to a worker's entry module:
  // a small script registers tsx inside the thread, then imports the entry.
  const entry = new URL('./nodeWorker.ts', import.meta.url).href;
  const bootstrap = [
    `import(${JSON.stringify(tsxEsmApiUrl())})`,
    `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`,
    `.then(() => require('node:worker_threads').parentPort.postMessage('metrics-worker-ready'));`,
  ].join('');
  const worker = new Worker(bootstrap, { eval: true });
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: unknown): void => {
      void worker.terminate();
      reject(new AppError('WORKER_FAILED', `the metrics worker failed to start: ${String(cause)}`, { cause }));
    };
    worker.once('error', onError);
    worker.once('message', (message) => {
      worker.off('error', onError);
      if (message === 'metrics-worker-ready') resolve();
      else onError(new Error(`unexpected first message ${JSON.stringify(message)}`));
    });
  });
  const api = wrap<MetricsApi>(nodeEndpoint(worker));
  let closed = false;
  return {
    api,
    async close() {
      if (closed) return;
      closed = true;
      api[releaseProxy]();
      await worker.terminate();
    },
  };
}

/** tsx's ESM API as a file URL: `require.resolve` would pick its CommonJS build, which cannot register here. */
export function tsxEsmApiUrl(): string {
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return new URL(manifest.exports['./esm/api'].import.default, pathToFileURL(packageJson)).href;
}
