/**
 * The engine as a Comparator: the engine's own pairwise comparison (as in rankings), with a fixed brief question
 * and no free generation. The engine keeps encoded images, so an image met again costs no vision run, and the
 * shared prompt prefix of a group stays in the KV cache between its comparisons.
 */
import { readFile } from 'node:fs/promises';
import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { EngineCounters } from '../../src/core/engine/api.ts';
import type { ImageRef } from '../../src/core/engine/images.ts';
import { AppError } from '../../src/core/errors.ts';
import { readBundleManifest } from '../host/folderBundle.ts';
import type { NodeDevice } from '../host/nodeDevice.ts';
import { openNodeEngine } from '../host/runAsk.ts';
import type { Comparator, ComparisonAnswer, ComparisonQuery, ModelRuns, ReasoningAnswer } from './comparator.ts';

/** Image files kept in memory: more than one reference group's worth (KADID-10k: 126). */
const MAX_FILES_HELD = 256;

export interface EngineComparatorOptions {
  bundle: string;
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
  /** The comparison task's built-in question by position. */
  questionIndex?: number;
  /** false: every comparison prefilled whole from an empty KV cache. Default true. */
  kvReuse?: boolean;
}

export async function openEngineComparator(options: EngineComparatorOptions): Promise<Comparator> {
  const manifest = await readBundleManifest(options.bundle);
  // The device as `npm run ask` chooses it: webgpu when asked or found (never a silent fallback when asked), else the CPU.
  const { engine, device } = await openNodeEngine(options.device, {}, async () => 'baseline');
  try {
    const model = await engine.load({ kind: 'path', path: options.bundle }, undefined, {
      ...(options.variant === undefined ? {} : { variant: options.variant }),
      ...(options.maxContext === undefined ? {} : { maxContext: options.maxContext }),
    });
    if (!model.hasVisionEncoder) {
      throw new AppError('VARIANT_UNAVAILABLE', `${options.bundle} has no vision encoder for ${model.variant}, so it cannot read images.`, {
        hint: 'Convert the model again with the CLIP vision tower (`npm run convert -- --clip DIR`).',
      });
    }
    // Bytes by path (the engine hashes them and finds features it already has; an image its cache dropped is encoded again).
    const files = new Map<string, Uint8Array>();
    const image = async (path: string): Promise<ImageRef> => {
      let bytes = files.get(path);
      if (bytes === undefined) {
        bytes = new Uint8Array(await readFile(path));
        files.set(path, bytes);
        if (files.size > MAX_FILES_HELD) files.delete(files.keys().next().value!);
      }
      return { name: path, bytes };
    };
    return {
      info: { device, variant: model.variant, model: manifest.model },
      async compare(query: ComparisonQuery): Promise<ComparisonAnswer> {
        const before = await engine.counters();
        // One ordered comparison: the brief prompt, `▁Image` as the answer's start, p(▁A) and p(▁B) read after it;
        // the prompt's prefix already in the KV cache (system text, reference rows) is not run again.
        const result = await engine.compare({
          ...(query.reference === null ? {} : { reference: await image(query.reference) }),
          a: await image(query.imageA),
          b: await image(query.imageB),
          questionIndex: options.questionIndex ?? 0,
          ...(options.kvReuse === false ? { reuse: false } : {}),
        });
        return { pA: result.pA, pB: result.pB, runs: runsBetween(before, await engine.counters()) };
      },
      async reason(query: ComparisonQuery): Promise<ReasoningAnswer> {
        const before = await engine.counters();
        const result = await engine.generate({
          task: 'reasoning',
          images: { ...(query.reference === null ? {} : { reference: await image(query.reference) }), a: await image(query.imageA), b: await image(query.imageB) },
          ...(options.questionIndex === undefined ? {} : { question: { index: options.questionIndex } }),
          confidence: false,
        });
        return { text: result.text, verdict: result.verdict, runs: runsBetween(before, await engine.counters()) };
      },
      close: () => engine.unload(),
    };
  } catch (error) {
    await engine.unload();
    throw error;
  }
}

function runsBetween(before: EngineCounters, after: EngineCounters): ModelRuns {
  return {
    vision: after.visionRuns - before.visionRuns,
    decoder: after.decoderRuns - before.decoderRuns,
    decodeSteps: after.decodeSteps - before.decodeSteps,
    prefillTokens: after.prefillTokens - before.prefillTokens,
  };
}
