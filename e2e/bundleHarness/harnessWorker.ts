import { serializeError } from '../../src/core/errors.ts';
import { cacheApi, measureHashSpeed, runLoad } from './scenario.ts';
import type { LoadRequest } from './protocol.ts';

/** The loader in a module worker, as the engine worker runs it: OPFS sync access handles exist only here. */
type WorkerCall =
  | { id: number; call: 'load'; request: LoadRequest; picked: File[] }
  | { id: number; call: 'list' }
  | { id: number; call: 'hashSpeed'; megabytes: number };

self.onmessage = async (message: MessageEvent<WorkerCall>) => {
  const data = message.data;
  try {
    const value =
      data.call === 'load' ? await runLoad(data.request, data.picked) : data.call === 'list' ? await cacheApi.list() : await measureHashSpeed(data.megabytes);
    self.postMessage({ id: data.id, value });
  } catch (error) {
    self.postMessage({ id: data.id, error: serializeError(error) });
  }
};
