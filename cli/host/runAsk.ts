/**
 * `npm run ask`: one DepictQA question in Node through the same engine as the app, on the GPU (onnxruntime-node's
 * WebGPU EP) or the CPU (onnxruntime-web wasm).
 * Streams the answer to stdout, or prints one JSON record with --json. Bad input fails before the model loads.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { graphsFor, type BundleManifest, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import type { Capabilities, GpuAdapterReport } from '../../src/core/capabilities.ts';
import { checkRequest } from '../../src/core/engine/request.ts';
import type { GenerateRequest, GenerateResult, PromptSegmentInfo } from '../../src/core/engine/generate.ts';
import type { LoadedModelInfo } from '../../src/core/engine/load.ts';
import { AppError } from '../../src/core/errors.ts';
import { inspectImageBytes } from '../../src/core/image/inspectImage.ts';
import { SLOT_LABELS, type ImageSlotId } from '../../src/core/tasks.ts';
import { variantFiles } from '../../src/core/bundle/variantFiles.ts';
import type { Engine } from '../../src/engine/Engine.ts';
import type { EngineHost } from '../../src/engine/EngineHost.ts';
import { pickVariant } from '../../src/core/bundle/variantChoice.ts';
import { countDecodeDispatches } from './dispatches/countDecodeDispatches.ts';
import { nodeOrt } from './ortNode.ts';
import type { AskArgs } from './askArgs.ts';
import type { NodeDevice } from './nodeDevice.ts';
import { nodeHasWebGpuEp } from './nodeGpu.ts';
import { createNodeEngine } from './nodeHost.ts';
import { readBundleManifest } from './folderBundle.ts';
import { checkEmbedderFolder } from './nodeEmbedder.ts';

export interface AskOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Above this many bytes of weights, onnxruntime's wasm is compiled fully before the first run (see ortNode.ts). */
const OPTIMIZE_ABOVE_BYTES = 256 << 20;

const FLAG_OF: Record<ImageSlotId, string> = { reference: '--ref', a: '--a', b: '--b' };
const JSON_IMAGE_NAME: Record<ImageSlotId, 'ref' | 'A' | 'B'> = { reference: 'ref', a: 'A', b: 'B' };

export async function runAsk(args: AskArgs, io: AskOutput, hostOverrides: Partial<EngineHost> = {}): Promise<GenerateResult> {
  // 1. Everything that can be checked without the model: the images the task needs, readable.
  let checked;
  try {
    checked = checkRequest({ ...args.request, images: args.images });
  } catch (error) {
    if (error instanceof AppError && error.code === 'IMAGE_MISSING') {
      const missing = (['a', 'b'] as const).filter((slot) => args.images[slot] === undefined).map((slot) => `${FLAG_OF[slot]} FILE`);
      throw new AppError('IMAGE_MISSING', error.message, { hint: `Pass ${missing.join(' and ')}.` });
    }
    throw error;
  }
  const files = Object.entries(checked.images) as Array<[ImageSlotId, string]>;
  const bytes = new Map<ImageSlotId, Uint8Array>();
  for (const [slot, path] of files) {
    try {
      bytes.set(slot, new Uint8Array(await readFile(path)));
    } catch (cause) {
      throw new AppError('FILE_NOT_FOUND', `${path}: cannot read ${SLOT_LABELS[slot]} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: `Check the path given to ${FLAG_OF[slot]}.`,
        cause,
      });
    }
    // Format, damage and size from the header, so that a bad file fails before the model loads.
    inspectImageBytes(bytes.get(slot)!, path);
  }
  if (args.embedder !== undefined) await checkEmbedderFolder(args.embedder);

  // 2. The engine on the chosen device; on the CPU, large models get fully optimised wasm code (a slower
  // start, much faster runs).
  const { engine, device, capabilities, model } = await openLoadedEngine(args, hostOverrides);
  try {
    if (args.embedder !== undefined) await engine.loadEmbedder({ kind: 'path', path: args.embedder });
    const images: GenerateRequest['images'] = {};
    for (const [slot, path] of files) images[slot] = { name: path, bytes: bytes.get(slot)! };

    // 3. The answer (the images encoded in the same request), streamed unless a record was asked for; the host's
    // CPU time from the first token on, per decode step.
    let cpuAtFirst: NodeJS.CpuUsage | null = null;
    const result = await engine.generate({ ...args.request, images }, (event) => {
      if (event.type === 'tokens' && cpuAtFirst === null) cpuAtFirst = process.cpuUsage();
      if (!args.json && event.type === 'tokens') io.out(event.text);
    });
    const cpu = process.cpuUsage(cpuAtFirst ?? undefined);
    if (args.json) {
      const steps = result.stats.tokensGenerated - 1;
      const decode = {
        ...model.decode,
        dispatchesPerStep: args.countDispatches && model.backend === 'webgpu' ? await decodeStepDispatches(args.bundle, model.variant) : null,
        hostMsPerStep: steps > 0 && cpuAtFirst !== null ? (cpu.user + cpu.system) / 1000 / steps : null,
      };
      io.out(`${JSON.stringify({ ...askRecord(result, { variant: model.variant, backend: model.backend }, { device, adapter: adapterRecord(capabilities) }), decode })}\n`);
    } else {
      io.out('\n');
      io.err(summary(result));
    }
    return result;
  } finally {
    await engine.unload();
  }
}

/**
 * The --json record: the prompt as segments, the answer with each token's probability, what was read from it
 * (`verdict` and the `comparison` record for Comparison and Reasoning, `distortion`), DepictQA's `confidence`
 * (for a detailed answer its 30 tokens with weights and probabilities), and the timings.
 */
export function askRecord(result: GenerateResult, model: { variant: string; backend: string }, where: { device: NodeDevice; adapter: AdapterRecord | null }) {
  const segment = (part: PromptSegmentInfo) => ('ids' in part ? { ids: part.ids } : { image: JSON_IMAGE_NAME[part.image], rows: part.rows });
  return {
    device: where.device,
    adapter: where.adapter,
    variant: model.variant,
    task: result.prompt.task,
    kind: result.prompt.hasReference ? 'full-reference' : 'no-reference',
    template: result.prompt.kind,
    question: result.prompt.question,
    questionIndex: result.prompt.questionIndex,
    prompt: result.prompt.segments.map(segment),
    answer: result.text,
    ids: result.ids,
    probabilities: result.probabilities,
    stopReason: result.stopReason,
    verdict: result.verdict,
    comparison: result.comparison,
    distortion: result.distortion,
    confidence: result.confidence,
    sampling: result.sampling,
    model,
    stats: result.stats,
  };
}

function summary(result: GenerateResult): string {
  const s = result.stats;
  const parts = [
    `${result.prompt.kind}, question ${result.prompt.questionIndex ?? '(own)'}`,
    `vision ${s.visionMsPerImage.toFixed(0)} ms/image`,
    `prefill ${s.prefillTokens} tokens at ${s.prefillTokensPerSecond.toFixed(1)}/s`,
    `first token after ${(s.timeToFirstTokenMs / 1000).toFixed(2)} s`,
    `${s.tokensGenerated} tokens at ${s.decodeTokensPerSecond.toFixed(1)}/s (${result.stopReason})`,
  ];
  if (result.verdict !== null) parts.push(`verdict ${result.verdict}`);
  if (result.comparison !== null) parts.push(`p(A)/(p(A)+p(B)) ${(result.comparison.normalizedRatioA * 100).toFixed(1)}% (${result.comparison.source})`);
  const confidence = result.confidence;
  if (confidence !== null) {
    const value = confidence.value === null ? `none (${confidence.reason ?? 'unavailable'})` : confidence.value.toPrecision(3);
    parts.push(`confidence ${value} (${confidence.kind}, ${confidence.source})`);
  }
  if (result.distortion !== null) parts.push(`distortion ${result.distortion}`);
  return `${parts.join(' · ')}\n`;
}

/**
 * The engine on the chosen device with the bundle loaded: on the CPU, large models get fully optimised wasm code
 * (a slower start, much faster runs); a bundle that cannot read images is refused before its weights load.
 */
export async function openLoadedEngine(
  args: Pick<AskArgs, 'bundle' | 'variant' | 'maxContext' | 'device'> & Partial<Pick<AskArgs, 'graphCapture'>>,
  hostOverrides: Partial<EngineHost>,
): Promise<{ engine: Engine; device: NodeDevice; capabilities: Capabilities; model: LoadedModelInfo }> {
  const { engine, device, capabilities } = await openNodeEngine(args.device, hostOverrides, async (capabilities) => {
    const plan = await planLoad(args, capabilities);
    return plan !== null && plan.bytes > OPTIMIZE_ABOVE_BYTES ? 'optimized' : 'baseline';
  });
  try {
    const plan = await planLoad(args, capabilities);
    if (plan !== null && !plan.hasVision && hostOverrides.imageEncoder === undefined) {
      throw new AppError('VARIANT_UNAVAILABLE', `${args.bundle} has no vision encoder for ${plan.variant}, so it cannot read images.`, {
        hint: 'Convert the model again with the CLIP vision tower (`npm run convert -- --clip DIR`).',
      });
    }
    const model = await engine.load({ kind: 'path', path: args.bundle }, undefined, {
      ...(args.variant === undefined ? {} : { variant: args.variant }),
      ...(args.maxContext === undefined ? {} : { maxContext: args.maxContext }),
      ...(args.graphCapture === false ? { graphCapture: false } : {}),
    });
    return { engine, device, capabilities, model };
  } catch (error) {
    await engine.unload();
    throw error;
  }
}

/**
 * What loading will involve, from the manifest alone: the variant's bytes and whether it can read images.
 * null when the manifest cannot be read; the load then fails with the reason.
 */
export async function planLoad(args: Pick<AskArgs, 'bundle' | 'variant'>, capabilities: Capabilities): Promise<{ variant: BundleVariant; bytes: number; hasVision: boolean } | null> {
  let manifest: BundleManifest;
  try {
    manifest = await readBundleManifest(args.bundle);
  } catch {
    return null;
  }
  const { variant } = pickVariant(manifest, capabilities, args.variant === undefined ? {} : { variant: args.variant });
  const wanted = new Set(variantFiles(manifest, variant));
  return {
    variant,
    bytes: manifest.files.filter((file) => wanted.has(file.path)).reduce((sum, file) => sum + file.bytes, 0),
    hasVision: graphsFor(manifest, variant).has('vision_encoder'),
  };
}

/** GPU dispatches of one decode step of the bundle's decoder (a child process reads onnxruntime's verbose log). */
async function decodeStepDispatches(bundle: string, variant: BundleVariant): Promise<number> {
  const decoder = graphsFor(await readBundleManifest(bundle), variant).get('decoder')!;
  return (await countDecodeDispatches(join(bundle, decoder.path), { timedRuns: 1 })).dispatches;
}

/** The adapter as Dawn reports it, for the --json record. */
export type AdapterRecord = Pick<GpuAdapterReport, 'vendor' | 'architecture' | 'description'>;

function adapterRecord(capabilities: Capabilities): AdapterRecord | null {
  if (capabilities.backend !== 'webgpu' || capabilities.adapter === null) return null;
  const { vendor, architecture, description } = capabilities.adapter;
  return { vendor, architecture, description };
}

/** The GPU API Dawn drives on this platform: what a missing adapter usually means is missing. */
export function gpuDriverName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'Direct3D 12 or Vulkan';
  return 'Vulkan';
}

/**
 * The engine on the asked device. `webgpu` needs onnxruntime-node's WebGPU EP and an adapter, and fails with the
 * reason when either is missing (never a silent fallback); no device asked: webgpu when both are there, else cpu.
 */
export async function openNodeEngine(
  asked: NodeDevice | undefined,
  hostOverrides: Partial<EngineHost>,
  wasmTier: (capabilities: Capabilities) => Promise<'baseline' | 'optimized'>,
): Promise<{ engine: Engine; device: NodeDevice; capabilities: Capabilities }> {
  if (asked !== 'cpu') {
    if (!nodeHasWebGpuEp()) {
      if (asked === 'webgpu') {
        throw new AppError('WEBGPU_UNAVAILABLE', `--device webgpu: onnxruntime-node on ${process.platform}-${process.arch} has no WebGPU execution provider.`, {
          hint: 'Run on the CPU with --device cpu.',
        });
      }
    } else {
      const engine = createNodeEngine(hostOverrides, 'webgpu');
      const capabilities = await engine.capabilities();
      if (capabilities.backend === 'webgpu') return { engine, device: 'webgpu', capabilities };
      if (asked === 'webgpu') {
        const why = capabilities.adapterError === null ? 'Dawn found no GPU adapter' : `Dawn could not open a GPU adapter (${capabilities.adapterError})`;
        throw new AppError('WEBGPU_UNAVAILABLE', `--device webgpu: ${why}: no ${gpuDriverName()} driver it can use is installed.`, {
          hint:
            process.platform === 'linux'
              ? "Install your GPU's Vulkan driver (Debian/Ubuntu: mesa-vulkan-drivers, or the vendor's driver; check with vulkaninfo), or run on the CPU with --device cpu."
              : `Update the GPU driver so that it offers ${gpuDriverName()}, or run on the CPU with --device cpu.`,
        });
      }
    }
  }
  const cpu = createNodeEngine({}, 'cpu');
  const capabilities = await cpu.capabilities();
  const tier = await wasmTier(capabilities);
  return { engine: createNodeEngine({ runtime: () => nodeOrt({ tier }), ...hostOverrides }, 'cpu'), device: 'cpu', capabilities };
}
