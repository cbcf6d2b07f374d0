import { parentPort } from 'node:worker_threads';
import { serveSharedReads, type HelperScope } from '../../../src/engine/bundle/sharedBlobReads.ts';

/** The blob reader helper in a Node worker thread (for tests of the engine side in Node): the same code as workers/blobReader.worker.ts. */
const port = parentPort!;
const scope: HelperScope = {
  onmessage: null,
  onmessageerror: null,
  postMessage: (message) => port.postMessage(message),
};
port.on('message', (data: unknown) => scope.onmessage?.({ data } as MessageEvent<never>));
port.on('messageerror', (error: Error) => scope.onmessageerror?.({ data: error } as MessageEvent));
serveSharedReads(scope);
