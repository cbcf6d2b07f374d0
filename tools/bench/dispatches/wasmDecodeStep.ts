/**
 * The same decode step as profileDecodeSteps, on onnxruntime-web's wasm EP in this process (one thread,
 * TurboFan code: `nodeOrt({ tier: 'optimized' })`), for the CPU side of a graph-form decision. The models take
 * turns, one timed step each per round, so that a load change on the machine hits every model alike.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type * as ort from 'onnxruntime-web/webgpu';
import { nodeOrt } from '../../../cli/host/ortNode.ts';
import { toFloat32 } from '../../../src/engine/llm/LanguageModel.ts';
import { DEFAULT_DECODE_STEP, decodeStepFeeds, median, type DecodeStep, type InputDescription } from '../../../cli/host/dispatches/decodeStepFeeds.ts';
import type { DecoderFile } from './decoderForms.ts';

export interface WasmStepProfile {
  stepMs: number[];
  medianMs: number;
  logits: Float32Array;
}

export async function timeWasmDecodeSteps(decoders: DecoderFile[], options: { step?: DecodeStep; timedRuns?: number } = {}): Promise<WasmStepProfile[]> {
  const runtime = await nodeOrt({ tier: 'optimized' });
  const runs: Array<() => Promise<Float32Array>> = [];
  const sessions: ort.InferenceSession[] = [];
  for (const decoder of decoders) {
    const dir = dirname(decoder.onnxPath);
    const externalData = await Promise.all(decoder.externalData.map(async (name) => ({ path: basename(name), data: new Uint8Array(await readFile(join(dir, basename(name)))) })));
    const session = await runtime.InferenceSession.create(await readFile(decoder.onnxPath), { executionProviders: ['wasm'], externalData });
    sessions.push(session);
    const inputs: InputDescription[] = session.inputMetadata.map((meta) => {
      if (!meta.isTensor) throw new Error(`input ${meta.name} is not a tensor`);
      return { name: meta.name, type: meta.type, shape: meta.shape };
    });
    const feeds = Object.fromEntries(
      decodeStepFeeds(inputs, options.step ?? DEFAULT_DECODE_STEP).map((feed) => [feed.name, new runtime.Tensor(feed.type, feed.data, feed.dims)]),
    );
    const run = async () => toFloat32((await session.run(feeds)).logits, 'logits');
    await settle(run);
    runs.push(run);
  }
  const stepMs: number[][] = runs.map(() => []);
  const logits: Float32Array[] = runs.map(() => new Float32Array(0));
  for (let round = 0; round < (options.timedRuns ?? 9); round++) {
    for (const [index, run] of runs.entries()) {
      const started = performance.now();
      logits[index] = await run();
      stepMs[index]!.push(performance.now() - started);
    }
  }
  for (const session of sessions) await session.release();
  return runs.map((_, index) => ({ stepMs: stepMs[index]!, medianMs: median(stepMs[index]!), logits: logits[index]! }));
}

let settledOnce = false;

/**
 * Warm-up runs until three in a row agree within 20% (at most 30 s); the first session of the process also
 * runs for 10 s at least: V8 goes on compiling the 26 MB module in the background for several seconds after
 * nodeOrt's wait (measured here), and steps run 5–10× slower meanwhile.
 */
async function settle(run: () => Promise<unknown>): Promise<void> {
  const recent: number[] = [];
  const started = performance.now();
  const earliest = started + (settledOnce ? 0 : 10_000);
  settledOnce = true;
  while (performance.now() < started + 30_000) {
    const runStarted = performance.now();
    await run();
    recent.push(performance.now() - runStarted);
    if (recent.length > 3) recent.shift();
    if (recent.length === 3 && Math.max(...recent) <= 1.2 * Math.min(...recent) && performance.now() >= earliest) return;
  }
}
