import { expose } from 'comlink';
import { holdLifeLock } from './lifeLock.ts';
import { registerErrorTransfer } from './workerErrors.ts';
import { browserEngineHost } from '../src/engine/browserHost.ts';
import { Engine } from '../src/engine/Engine.ts';
import { workerFace } from '../src/engine/workerFace.ts';

// onnxruntime-web starts its wasm threads from this same bundled script (its import.meta.url): in those
// threads only its own code may run, so the engine is exposed in the worker the page started, nowhere else.
if (!self.name.startsWith('em-pthread')) {
  registerErrorTransfer();
  expose(workerFace(new Engine(browserEngineHost())));
  holdLifeLock((message) => self.postMessage(message));
}
