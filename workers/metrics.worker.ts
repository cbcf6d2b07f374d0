import { expose } from 'comlink';
import { createMetricsApi } from '../src/core/metrics/metricsApi.ts';
import { registerErrorTransfer } from '../src/core/workerErrors.ts';

registerErrorTransfer();
expose(createMetricsApi());
