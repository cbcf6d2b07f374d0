/**
 * The engine as a Comparator: DepictQA's comparison task with a fixed question and greedy decoding, a few new
 * tokens only; p(▁A) and p(▁B) come from the answer's confidence (read where the answer says "Image A/B", or
 * probed after the prompt when it does not). The engine keeps encoded images, so an image met again costs no
 * vision run.
 */
import { readFile } from 'node:fs/promises';
import type { BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { EngineCounters, ImageRef } from '../../src/core/engine/types.ts';
import { AppError } from '../../src/core/errors.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import { readBundleManifest } from '../node/folderBundle.ts';
import type { NodeDevice } from '../node/nodeDevice.ts';
import { nodeHasWebGpuEp } from '../node/nodeGpu.ts';
import { createNodeEngine } from '../node/nodeHost.ts';
import type { Comparator, ComparisonAnswer, ComparisonQuery, ModelRuns } from './comparator.ts';

/** Image files kept in memory: more than one reference group's worth (KADID-10k: 126). */
const MAX_FILES_HELD = 256;

export interface EngineComparatorOptions {
  bundle: string;
  device?: NodeDevice;
  variant?: BundleVariant;
  maxContext?: number;
  /** Tokens generated per answer; "Image A" is two. */
  maxNewTokens?: number;
  /** The comparison task's built-in question by position. */
  questionIndex?: number;
}

export async function openEngineComparator(options: EngineComparatorOptions): Promise<Comparator> {
  const manifest = await readBundleManifest(options.bundle);
  const { engine, device } = await openEngine(options.device);
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
        const result = await engine.generate({
          task: 'comparison',
          images: {
            ...(query.reference === null ? {} : { reference: await image(query.reference) }),
            a: await image(query.imageA),
            b: await image(query.imageB),
          },
          question: { index: options.questionIndex ?? 0 },
          maxNewTokens: options.maxNewTokens ?? 2,
          // Only p(▁A), p(▁B) are kept: no re-ask, no sentence embedder.
          confidence: false,
        });
        if (result.comparison === null) {
          throw new AppError('MODEL_RUN_FAILED', `The comparison of ${query.imageA} and ${query.imageB} gave no p(▁A), p(▁B).`, {
            hint: 'Check that the bundle is a DepictQA comparison model.',
          });
        }
        return { pA: result.comparison.pA, pB: result.comparison.pB, runs: runsBetween(before, await engine.counters()) };
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

/** webgpu when asked or found (never a silent fallback when asked), else the CPU, as `npm run ask` chooses. */
async function openEngine(asked: NodeDevice | undefined): Promise<{ engine: Engine; device: NodeDevice }> {
  if (asked !== 'cpu' && nodeHasWebGpuEp()) {
    const engine = createNodeEngine({}, 'webgpu');
    const capabilities = await engine.capabilities();
    if (capabilities.backend === 'webgpu') return { engine, device: 'webgpu' };
    if (asked === 'webgpu') {
      throw new AppError('WEBGPU_UNAVAILABLE', `--device webgpu: no GPU adapter (${capabilities.adapterError ?? 'none found'}).`, {
        hint: "Install the GPU's Vulkan driver (check with vulkaninfo), or run with --device cpu.",
      });
    }
  } else if (asked === 'webgpu') {
    throw new AppError('WEBGPU_UNAVAILABLE', `--device webgpu: onnxruntime-node on ${process.platform}-${process.arch} has no WebGPU execution provider.`, {
      hint: 'Run with --device cpu.',
    });
  }
  return { engine: createNodeEngine({}, 'cpu'), device: 'cpu' };
}
