import { expose } from 'comlink';
import { createMetricsWorkerApi } from '../src/engine/metricsWorkerApi.ts';
import { registerErrorTransfer } from '../src/core/workerErrors.ts';

registerErrorTransfer();
expose(createMetricsWorkerApi());
