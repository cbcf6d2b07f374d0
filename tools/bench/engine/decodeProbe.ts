/**
 * The cost of a decode step measured without a prompt's prefill in front of it. The bundle is opened and loaded
 * by the engine's own path (`openModel`, as `Engine.load` runs it), then BOS and greedy tokens are fed one
 * position at a time through the LanguageModel that answers in the app: the first run has an empty cache (a
 * one-position prefill), every later run is exactly a decode step (one new position after the cached ones, the
 * last position's logits read back to the CPU). On a software adapter the prefill of a 7B prompt takes hours;
 * this reaches the decode step in minutes.
 */
import type { BundleSource, LoadOptions } from '../../../src/core/engine/load.ts';
import { decideCapabilities } from '../../../src/core/capabilities.ts';
import { gpuFailureError } from '../../../src/engine/gpu/gpuErrors.ts';
import { variantFiles } from '../../../src/core/bundle/variantFiles.ts';
import type { EngineHost } from '../../../src/engine/EngineHost.ts';
import { zeroCounters } from '../../../src/engine/llm/LanguageModel.ts';
import { openModel } from '../../../src/engine/openModel.ts';
import { pickVariant } from '../../../src/core/bundle/variantChoice.ts';
import { probeCapabilities } from '../../../src/engine/probeCapabilities.ts';
import { argmax } from '../../oracles/referenceMath.ts';
import type { RunLog } from './timedOrt.ts';

export interface DecodeProbeRequest {
  source: BundleSource;
  options: LoadOptions;
  /** Decoder runs after the first: each one a decode step. */
  steps: number;
}

export interface DecodeProbeStep {
  /** Positions already in the KV cache when the step ran. */
  past: number;
  /** The step as the engine pays it: embed_tokens, the decoder, the logits back on the CPU. */
  ms: number;
  /** The decoder's own session.run. */
  decoderRunMs: number;
}

export interface DecodeProbeResult {
  loadMs: number;
  prefillChunk: number;
  /** The first run (empty cache, one position), then the decode steps. */
  firstRunMs: number;
  steps: DecodeProbeStep[];
  /** BOS, then the greedy tokens. */
  tokens: number[];
}

export async function runDecodeProbe(host: EngineHost, log: RunLog, request: DecodeProbeRequest, note: (line: string) => void = () => {}): Promise<DecodeProbeResult> {
  const capabilities = decideCapabilities(await probeCapabilities(host.probeScope));
  const started = performance.now();
  const files = await host.openBundle(request.source, {
    onProgress: () => undefined,
    selectFiles: (manifest) => variantFiles(manifest, pickVariant(manifest, capabilities, request.options).variant),
  });
  const choice = pickVariant(files.manifest, capabilities, request.options);
  const ort = await host.runtime(capabilities);
  const model = await openModel(ort, files, { ...choice, adapter: capabilities.adapter }, host, request.options, zeroCounters(), () => undefined);
  try {
    const loadMs = performance.now() - started;
    note(`loaded in ${(loadMs / 1000).toFixed(1)} s`);
    const language = model.cache.model;
    const tokens = [files.manifest.llm.bosTokenId];
    const runs: Array<{ past: number; ms: number; decoderRunMs: number }> = [];
    for (let run = 0; run <= request.steps; run++) {
      const past = language.cachedPositions;
      log.clear();
      const scope = model.gpu.begin(`decode probe step ${run}`);
      const stepStarted = performance.now();
      const logits = await language.forward(await language.embed([tokens[tokens.length - 1]!]));
      const ms = performance.now() - stepStarted;
      const failure = await scope.end();
      if (failure !== null) throw gpuFailureError(failure);
      tokens.push(argmax(logits));
      const decoderRunMs = log.records.filter((record) => record.graph === 'decoder').reduce((sum, record) => sum + record.ms, 0);
      runs.push({ past, ms, decoderRunMs });
      note(`run ${run} (past ${past}): ${(ms / 1000).toFixed(2)} s`);
    }
    const [first, ...steps] = runs;
    return { loadMs, prefillChunk: model.prefillChunk, firstRunMs: first!.ms, steps, tokens };
  } finally {
    await model.dispose();
  }
}
