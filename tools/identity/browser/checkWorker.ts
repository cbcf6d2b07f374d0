import { answerCalls } from '../../browser/harness/workerCalls.ts';
import type { ImageSlotId } from '../../../src/core/tasks.ts';
import { browserEngineHost } from '../../../src/engine/browserHost.ts';
import { Engine } from '../../../src/engine/Engine.ts';
import { fixedRowsEncoder } from '../../../cli/host/testing/fixedRowsEncoder.ts';
import type { CheckComparison, CheckRequest, CheckResult } from './protocol.ts';

/** The engine in a module worker, as the app runs it (the vision graph optionally replaced by fixed rows). */
async function check(request: CheckRequest): Promise<CheckResult> {
  const host = browserEngineHost();
  const engine = new Engine({
    ...host,
    ...(request.rows === 'fixed' ? { imageEncoder: async ({ hiddenSize }: { hiddenSize: number }) => fixedRowsEncoder(hiddenSize) } : {}),
    // On WebGPU every node must run there: a silent CPU fallback would not test the GPU path.
    disableCpuFallback: request.backend === 'webgpu',
    tokenIntervalMs: 0,
  });
  const capabilities = await engine.capabilities();
  const model = await engine.load({ kind: 'url', url: request.bundleUrl }, undefined, {
    variant: request.variant,
    backend: request.backend,
    maxContext: 512,
    ...(request.graphCapture === undefined ? {} : { graphCapture: request.graphCapture }),
  });
  const ids = {} as Record<ImageSlotId, string>;
  for (const slot of ['reference', 'a', 'b'] as const) ids[slot] = (await engine.encodeImage(request.images[slot])).id;
  const answers = [];
  for (const ask of request.requests) {
    const answer = await engine.generate({ ...ask, images: ids });
    answers.push({ ids: answer.ids, confidence: answer.comparison && { pA: answer.comparison.pA, pB: answer.comparison.pB }, stats: answer.stats });
  }
  const rankings = { reused: await ranked(engine, ids, true), scratch: await ranked(engine, ids, false) };
  const result: CheckResult = { ok: true, model, answers, rankings, counters: await engine.counters(), adapter: capabilities.adapter?.architecture ?? null };
  await engine.unload();
  return result;
}

/** Every pair of A, B and the reference ranked against the reference: each order's letters and reused positions. */
async function ranked(engine: Engine, ids: Record<ImageSlotId, string>, reuse: boolean): Promise<CheckComparison[]> {
  const orders: CheckComparison[] = [];
  await engine.rank({ reference: ids.reference, candidates: [ids.a, ids.b, ids.reference], mode: 'allPairs', reuse }, (event) => {
    if (event.type === 'comparison') orders.push({ first: event.first, second: event.second, pA: event.pA, pB: event.pB, reusedPositions: event.work.reusedPositions });
  });
  return orders;
}

answerCalls<CheckRequest, CheckResult>(check, (error) => ({ ok: false, error }));
