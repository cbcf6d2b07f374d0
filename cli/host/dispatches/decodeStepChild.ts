/**
 * Child process of `profileDecodeSteps`: ORT's verbose log is written by native code to this process's stderr,
 * so the parent reads it there. argv[2] is a JSON `DecodeStepRequest`. The KV cache stays on the GPU between
 * runs, as the engine keeps it in Node (OutputKvCache): presents are asked for as 'gpu-buffer' and fed back as
 * the past.
 *   1. For each model, a verbose session warms up, then runs the step once between two markers on stderr: the
 *      parent counts the `Starting program` lines in between.
 *   2. Quiet sessions (logging costs time per dispatch) of all models warm up, then take turns, one timed step
 *      each per round, so that a load change on the machine hits every model alike. The result (megabytes of
 *      logits) goes to `resultPath` as JSON.
 */
import { readFileSync, writeFileSync, writeSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { onnx } from '../../../converter/onnx/onnxProto.ts';
import { toFloat32 } from '../../../src/engine/llm/LanguageModel.ts';
import { createWebGpuSession } from '../ortNodeWebGpu.ts';
import { beginMarker, END_MARKER, type DecodeStepRequest, type DecodeStepResult } from './countDecodeDispatches.ts';
import { decodeStepFeeds, type DecodeStep, type InputDescription } from './decodeStepFeeds.ts';

interface OpenStep {
  session: ort.InferenceSession;
  /** One decode step; returns its logits. */
  run: () => Promise<Float32Array>;
}

/** A session whose step inputs hold a GPU-resident past (the presents of a first run from CPU values). */
async function openStep(model: string, step: DecodeStep, verbose: boolean): Promise<OpenStep> {
  const outputs = onnx.ModelProto.decode(readFileSync(model)).graph?.output ?? [];
  const presents = outputs.map((output) => output.name ?? '').filter((name) => name.startsWith('present.'));
  const session = await createWebGpuSession(model, { verbose, gpuOutputs: presents });
  const inputs: InputDescription[] = session.inputMetadata.map((meta) => {
    if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
    return { name: meta.name, type: meta.type, shape: meta.shape };
  });
  const feeds: Record<string, ort.Tensor> = Object.fromEntries(
    decodeStepFeeds(inputs, step).map((feed) => [feed.name, new ort.Tensor(feed.type, feed.data, feed.dims)]),
  );
  const first = await session.run(feeds);
  for (const name of presents) feeds[name.replace('present.', 'past_key_values.')] = first[name]!;
  const run = async () => {
    const result = await session.run(feeds);
    for (const name of presents) result[name]!.dispose();
    return toFloat32(result.logits, 'logits');
  };
  return { session, run };
}

async function main(request: DecodeStepRequest): Promise<void> {
  // 1. Dispatches of one step, model by model.
  for (const [index, model] of request.models.entries()) {
    const verbose = await openStep(model, request.step, true);
    await verbose.run();
    writeSync(2, `${beginMarker(index)}\n`);
    await verbose.run();
    writeSync(2, `${END_MARKER}\n`);
    await verbose.session.release();
  }

  // 2. Time of one step, without the log, the models taking turns.
  const steps: OpenStep[] = [];
  for (const model of request.models) steps.push(await openStep(model, request.step, false));
  for (const step of steps) await step.run();
  const stepMs: number[][] = steps.map(() => []);
  const logits: Float32Array[] = steps.map(() => new Float32Array(0));
  for (let round = 0; round < request.timedRuns; round++) {
    for (const [index, step] of steps.entries()) {
      const started = performance.now();
      logits[index] = await step.run();
      stepMs[index]!.push(performance.now() - started);
    }
  }
  for (const step of steps) await step.session.release();
  const result: DecodeStepResult = {
    stepMs,
    logits: logits.map((row) => Buffer.from(row.buffer, row.byteOffset, row.byteLength).toString('base64')),
  };
  writeFileSync(request.resultPath, JSON.stringify(result));
}

await main(JSON.parse(process.argv[2]!) as DecodeStepRequest);
