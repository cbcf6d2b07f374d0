import { expose } from 'comlink';
import { createMetricsWorkerApi } from '../src/engine/metricsWorkerApi.ts';
import { registerErrorTransfer } from './workerErrors.ts';

registerErrorTransfer();
expose(createMetricsWorkerApi());
