import type { Capabilities } from '../../../../src/core/capabilities.ts';
import { browserEngineHost } from '../../../../src/engine/browserHost.ts';
import { Engine } from '../../../../src/engine/Engine.ts';
import type { EngineHost } from '../../../../src/engine/EngineHost.ts';
import { fixedRowsEncoder } from '../../../../cli/host/testing/fixedRowsEncoder.ts';
import { runDecodeProbe } from '../decodeProbe.ts';
import { runScenario } from '../scenario.ts';
import { runSoak } from '../../soak/soakRun.ts';
import { createRunLog, timedOrt } from '../timedOrt.ts';
import { answerCalls, postEvent } from '../../../browser/harness/workerCalls.ts';
import type { BenchCall, BenchEvent, BenchMessage, BenchRequest } from './protocol.ts';

/** Lets a scenario held after its load (`holdAfterLoad`) go on. */
let resume: (() => void) | null = null;

/** The engine in a module worker as the app runs it, with its onnxruntime's session.run calls timed. */
async function bench(call: BenchCall): Promise<BenchMessage> {
  if (call.kind === 'resume') {
    resume?.();
    return { type: 'resumed' };
  }
  return runBench(call.request);
}

async function runBench(request: BenchRequest): Promise<BenchMessage> {
  const post = (event: BenchEvent) => postEvent(event);
  const browser = browserEngineHost();
  const log = createRunLog();
  const host = {
    ...browser,
    ...(request.reads === 'whole' ? { openBundle: wholeReads(browser.openBundle) } : {}),
    runtime: async (capabilities: Capabilities) => timedOrt(await browser.runtime(capabilities), log),
    ...(request.rows === 'fixed' ? { imageEncoder: async ({ hiddenSize }: { hiddenSize: number }) => fixedRowsEncoder(hiddenSize) } : {}),
    // On WebGPU every node must run there: a silent CPU fallback would time the wrong thing.
    disableCpuFallback: request.backend === 'webgpu',
    tokenIntervalMs: 0,
  };
  if (request.soak !== undefined) countGpuBuffers();
  const engine = new Engine(host);
  const capabilities = await engine.capabilities();
  const adapter = capabilities.adapter?.architecture ?? null;
  if (request.soak !== undefined) {
    await engine.load(request.source, undefined, { variant: request.variant, backend: request.backend, maxContext: request.maxContext });
    const done = await runSoak(
      engine,
      { ...request.soak, images: request.images },
      async (checkpoint, progress) => {
        const resumed = new Promise<void>((resolve) => (resume = resolve));
        post({ type: 'loaded', checkpoint, liveGpuBuffers: liveGpuBuffers(), done: progress });
        await resumed;
      },
      (line) => post({ type: 'note', line }),
    );
    await engine.unload();
    return { type: 'soaked', done, adapter };
  }
  if (request.decodeProbeSteps !== undefined) {
    const options = { variant: request.variant, backend: request.backend, maxContext: request.maxContext };
    const result = await runDecodeProbe(host, log, { source: request.source, options, steps: request.decodeProbeSteps }, (line) => post({ type: 'note', line }));
    return { type: 'probed', result, adapter };
  }
  const held = async () => {
    if (request.holdAfterLoad !== true) return;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    post({ type: 'loaded' });
    await resumed;
  };
  const result = await runScenario(engine, log, request, (line) => post({ type: 'note', line }), held);
  return { type: 'done', result, adapter };
}

/** GPU buffers created and not destroyed in this worker, once `countGpuBuffers` has wrapped the device's methods. */
let created = 0;
let destroyed = 0;
const liveGpuBuffers = () => created - destroyed;

function countGpuBuffers(): void {
  if (typeof GPUDevice === 'undefined') return;
  const createBuffer = GPUDevice.prototype.createBuffer;
  GPUDevice.prototype.createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
    created++;
    return createBuffer.call(this, descriptor);
  };
  const destroy = GPUBuffer.prototype.destroy;
  GPUBuffer.prototype.destroy = function (this: GPUBuffer & { counted?: boolean }) {
    // destroy() may be called twice on one buffer; count it once.
    if (this.counted !== true) {
      this.counted = true;
      destroyed++;
    }
    return destroy.call(this);
  };
}

/** `openBundle` whose bundles cannot be read in parts, so the engine reads each external-data chunk whole. */
function wholeReads(openBundle: EngineHost['openBundle']): EngineHost['openBundle'] {
  return async (source, options) => {
    const files = await openBundle(source, options);
    delete files.openSlices;
    return files;
  };
}

answerCalls(bench, (error): BenchMessage => ({ type: 'failed', error }));
