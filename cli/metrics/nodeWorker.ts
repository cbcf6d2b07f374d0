import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import { nodeEndpoint } from './nodeEndpoint.ts';
import { createMetricsApi } from '../../src/engine/metricsApi.ts';
import { registerErrorTransfer } from '../../workers/workerErrors.ts';

// The Node analogue of workers/metrics.worker.ts: the same API object, over worker_threads.
if (parentPort === null) throw new Error('cli/metrics/nodeWorker.ts must run in a worker thread');
registerErrorTransfer();
expose(createMetricsApi(), nodeEndpoint(parentPort));
