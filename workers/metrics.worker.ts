import { expose } from 'comlink';
import { createMetricsWorkerApi } from '../src/engine/metricsWorkerApi.ts';
import { holdLifeLock } from './lifeLock.ts';
import { registerErrorTransfer } from './workerErrors.ts';

registerErrorTransfer();
expose(createMetricsWorkerApi());
holdLifeLock((message) => self.postMessage(message));
