import { serializeError } from '../../../../src/core/errors.ts';
import { browserEngineHost } from '../../../../src/engine/browserHost.ts';
import { Engine } from '../../../../src/engine/Engine.ts';
import { fixedRowsEncoder } from '../../../engine/testing/fixedRowsEncoder.ts';
import { runScenario } from '../scenario.ts';
import { createRunLog, timedOrt } from '../timedOrt.ts';
import type { BenchMessage, BenchRequest } from './protocol.ts';

/** The engine in a module worker as the app runs it, with its onnxruntime's session.run calls timed. */
async function bench(message: MessageEvent<BenchRequest>): Promise<void> {
  const request = message.data;
  const post = (reply: BenchMessage) => self.postMessage(reply);
  try {
    const host = browserEngineHost();
    const log = createRunLog();
    const engine = new Engine({
      ...host,
      runtime: async (capabilities) => timedOrt(await host.runtime(capabilities), log),
      ...(request.rows === 'fixed' ? { imageEncoder: async ({ hiddenSize }: { hiddenSize: number }) => fixedRowsEncoder(hiddenSize) } : {}),
      // On WebGPU every node must run there: a silent CPU fallback would time the wrong thing.
      disableCpuFallback: request.backend === 'webgpu',
      tokenIntervalMs: 0,
    });
    const capabilities = await engine.capabilities();
    const result = await runScenario(engine, log, request, (line) => post({ type: 'note', line }));
    post({ type: 'done', result, adapter: capabilities.adapter?.architecture ?? null });
  } catch (error) {
    post({ type: 'failed', error: serializeError(error) });
  }
}

// onnxruntime-web starts its wasm threads from this same bundled script: in those, only its own code may run.
if (!self.name.startsWith('em-pthread')) self.addEventListener('message', (message: MessageEvent<BenchRequest>) => void bench(message));
