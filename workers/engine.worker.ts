import { expose } from 'comlink';
import { registerErrorTransfer } from '../src/core/workerErrors.ts';
import { browserEngineHost } from '../src/engine/browserHost.ts';
import { Engine } from '../src/engine/Engine.ts';

registerErrorTransfer();
expose(new Engine(browserEngineHost()));
