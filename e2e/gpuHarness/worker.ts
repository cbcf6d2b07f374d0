import * as ort from 'onnxruntime-web/webgpu';
import type { GenerateEvent } from '../../src/core/engine/generate.ts';
import type { LoadEvent } from '../../src/core/engine/load.ts';
import { serializeError } from '../../src/core/errors.ts';
import { answerCalls } from '../../tools/browser/harness/workerCalls.ts';
import { browserEngineHost } from '../../src/engine/browserHost.ts';
import { Engine } from '../../src/engine/Engine.ts';
import type { LoadedModel } from '../../src/engine/openModel.ts';
import { fixedRowsEncoder } from '../../cli/host/testing/fixedRowsEncoder.ts';
import type { AnswerRecord, HarnessCall, HarnessReply } from './protocol.ts';
import { measureScopeCost } from './scopeCost.ts';

/**
 * The engine in a module worker, as the app runs it, with the faults a browser test injects from outside the
 * engine: onnxruntime's GPU device destroyed (as a driver reset or a lost GPU would) at a chosen moment.
 * Image rows are fixed (no vision graph), so the tiny model's answers are quick on SwiftShader.
 */
const engine = new Engine({
  ...browserEngineHost(),
  imageEncoder: async ({ hiddenSize }) => fixedRowsEncoder(hiddenSize),
  tokenIntervalMs: 0,
});

/** onnxruntime-web keeps its device as a plain property once a WebGPU session exists (typed as a promise). */
function currentDevice(): GPUDevice | undefined {
  return (ort.env.webgpu as unknown as { device?: GPUDevice }).device;
}

let lastDevice: GPUDevice | undefined;

async function handle(data: HarnessCall): Promise<HarnessReply> {
  switch (data.call) {
    case 'load': {
      const onEvent = (event: LoadEvent) => {
        if (event.type === 'part' && event.part === data.destroyAfterPart) currentDevice()?.destroy();
      };
      const model = await engine.load({ kind: 'url', url: data.bundleUrl }, onEvent, { variant: data.variant, backend: data.backend, maxContext: 256 });
      const device = currentDevice();
      const deviceChanged = device !== lastDevice;
      lastDevice = device;
      return { ok: true, model, deviceChanged };
    }
    case 'encode': {
      const imageIds = [];
      for (const image of data.images) imageIds.push((await engine.encodeImage(image)).id);
      return { ok: true, imageIds };
    }
    case 'generate': {
      const answer: AnswerRecord = { shownIds: [], shownAtFault: null, eventTypes: [] };
      const onEvent = (event: GenerateEvent) => {
        answer.eventTypes.push(event.type);
        if (event.type !== 'tokens') return;
        answer.shownIds.push(...event.ids);
        if (data.destroyAtTokens !== undefined && answer.shownAtFault === null && answer.shownIds.length >= data.destroyAtTokens) {
          answer.shownAtFault = answer.shownIds.length;
          // Synchronously, inside the event: every token event after this one would be a token computed after the loss.
          currentDevice()?.destroy();
        }
      };
      try {
        const result = await engine.generate(data.request, onEvent);
        answer.result = { ids: result.ids, text: result.text, stopReason: result.stopReason };
      } catch (error) {
        answer.error = serializeError(error);
      }
      const device = currentDevice();
      const deviceChanged = device !== lastDevice;
      lastDevice = device;
      return { ok: true, answer, deviceChanged };
    }
    case 'unload':
      await engine.unload();
      return { ok: true };
    case 'scopeCost': {
      const loaded = (engine as unknown as { loaded: LoadedModel | null }).loaded;
      if (loaded === null) throw new Error('load a model first');
      return { ok: true, timings: await measureScopeCost(loaded, data.rounds) };
    }
  }
}

answerCalls<HarnessCall, HarnessReply>(handle, (error) => ({ ok: false, error }));
