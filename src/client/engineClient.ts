import type { Remote } from 'comlink';
import type { EngineApi } from '../core/engineApi.ts';
import { callWorker, createWorkerClient, type WorkerClient } from './workerClient.ts';

let client: WorkerClient<EngineApi> | undefined;

/** Runs one call on the page's engine worker, started on first use. */
export function withEngine<T>(call: (engine: Remote<EngineApi>) => Promise<T>): Promise<T> {
  client ??= createWorkerClient<EngineApi>(
    () => new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'engine' }),
    'engine',
  );
  return callWorker(client, call);
}
