/**
 * What one GPU machine does with DepictQA: a bundle of the chosen shape written directly (directBundle.ts), opened
 * by the engine on onnxruntime-node's WebGPU EP, and measured the way a user meets it:
 * - vision ms per image (a fresh 224 × 224 image, after one warm-up);
 * - time to first token of a three-image comparison, images given as bytes (vision included);
 * - prefill and decode tokens per second of a reasoning answer whose prompt fills about 1k positions (three
 *   224 × 280 images), `</s>` never chosen, so that every decode step runs;
 * - GPU dispatches of one decode step (onnxruntime's verbose log, in a child process) and the host's CPU time
 *   per decode step (on a real GPU, the cost of driving it; on lavapipe the GPU's work runs on the CPU too);
 * - the adapter's copy bandwidth (copyBufferToBuffer), and the roofline: decoder weight bytes per token ÷
 *   bandwidth, and the fraction of it the decode reaches.
 * Graph capture: tried with onnxruntime-node's WebGPU EP options; where refused, the record says why.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, globals } from 'webgpu';
import { graphsFor, type BundleVariant } from '../../../src/core/bundle/manifest.ts';
import { adapterLabel } from '../../../src/core/capabilities.ts';
import type { ImageInput } from '../../../src/core/engine/images.ts';
import { AppError } from '../../../src/core/errors.ts';
import { createSampler } from '../../../src/core/generation/sampler.ts';
import { readBundleManifest } from '../../../cli/host/folderBundle.ts';
import { nodeGpuAvailability, nodeGraphCaptureRefusal } from '../../../cli/host/nodeGpu.ts';
import { createNodeEngine } from '../../../cli/host/nodeHost.ts';
import { randomPng } from '../../../cli/host/testing/testImages.ts';
import { countDecodeDispatches } from '../../../cli/host/dispatches/countDecodeDispatches.ts';
import { decoderWeightBytes } from '../engine/benchBundles.ts';
import { describeDecoderLayout, layoutFormName } from '../../../converter/llama/decoderLayout.ts';
import { writeDirectBundle, type DeviceShape } from './directBundle.ts';

export interface DeviceOptions {
  shape: DeviceShape;
  /** An existing directly written bundle (`--bundle`), else one is written and removed afterwards. */
  bundle?: string;
  keep?: boolean;
  /** Write the decoder without zero points (`convert --symmetric`: fewer programs per step). */
  symmetric?: boolean;
  /** Decode steps timed at 1k context. */
  steps: number;
  log: (line: string) => void;
}

export interface DeviceRecord {
  shape: DeviceShape;
  variant: BundleVariant;
  /** The decoder's graph form, e.g. `qkv` or `qkv, symmetric` (see bench:dispatches). */
  form: string;
  adapter: string;
  /** Seconds to write the bundle (null when --bundle gave one). */
  writeSeconds: number | null;
  bundleBytes: number;
  /** Prompt positions of the decode measure. */
  context: number;
  decodeTokensPerSecond: number;
  prefillTokensPerSecond: number;
  ttftMs: number;
  visionMs: number;
  dispatchesPerStep: number;
  hostMsPerStep: number;
  weightBytes: number;
  bandwidthGBs: number;
  rooflineTokensPerSecond: number;
  rooflineFraction: number;
  graphCapture: { enabled: false; reason: string };
}

export async function measureDevice(options: DeviceOptions): Promise<DeviceRecord> {
  const { log } = options;
  const gpu = await nodeGpuAvailability();
  if (gpu.capabilities === null) {
    throw new AppError('WEBGPU_UNAVAILABLE', `bench:device needs a GPU: ${gpu.missing}.`, { hint: 'Run it on a machine with a GPU driver Dawn can use (Vulkan, Metal or D3D12).' });
  }
  const adapter = gpu.capabilities.adapter!;
  const variant: BundleVariant = adapter.hasShaderF16 ? 'q4f16' : 'q4';
  const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-device-'));
  try {
    // 1. The bundle.
    let bundleDir = options.bundle;
    let writeSeconds: number | null = null;
    if (bundleDir === undefined) {
      log(`writing the ${options.shape}-shaped ${variant} bundle…`);
      bundleDir = join(scratch, 'bundle');
      const written = await writeDirectBundle(bundleDir, options.shape, variant, { symmetric: options.symmetric ?? false });
      writeSeconds = written.elapsedMs / 1000;
      log(`written: ${(written.bytes / 1e9).toFixed(2)} GB in ${writeSeconds.toFixed(1)} s`);
    }

    // 2. The adapter's copy bandwidth.
    log('measuring the copy bandwidth…');
    const bandwidth = await copyBandwidth();

    // 3. The engine on the GPU, `</s>` never sampled.
    const engine = createNodeEngine(
      {
        sampler: (sampling) => {
          const base = createSampler(sampling);
          return { options: base.options, sample: (logits, ids) => ((logits[2] = -Infinity), base.sample(logits, ids)) };
        },
      },
      'webgpu',
    );
    try {
      log('loading…');
      await engine.load({ kind: 'path', path: bundleDir }, undefined, { variant, maxContext: 1280 + options.steps });
      const manifest = await readBundleManifest(bundleDir);
      let seed = 1;
      const image = (width: number, height: number): Promise<ImageInput> => randomPng(`image-${seed}.png`, width, height, seed++);

      // 3a. Vision: one warm-up, then the median of two fresh images.
      log('vision…');
      await engine.encodeImage(await image(224, 224));
      const visionRuns: number[] = [];
      for (let k = 0; k < 2; k++) {
        const fresh = await image(224, 224);
        const started = performance.now();
        await engine.encodeImage(fresh);
        visionRuns.push(performance.now() - started);
      }

      // 3b. Time to first token of a three-image comparison, images as bytes.
      log('time to first token of a comparison…');
      const comparison = { reference: await image(224, 224), a: await image(224, 224), b: await image(224, 224) };
      let firstToken = Number.NaN;
      const asked = performance.now();
      await engine.generate({ task: 'comparison', images: comparison, maxNewTokens: 1 }, (event) => {
        if (event.type === 'tokens' && Number.isNaN(firstToken)) firstToken = performance.now() - asked;
      });

      // 3c. A prompt of about 1k positions, then `steps` decode steps.
      log(`prefill of ~1k positions and ${options.steps} decode steps…`);
      const long = { reference: await image(224, 280), a: await image(224, 280), b: await image(224, 280) };
      for (const slot of ['reference', 'a', 'b'] as const) await engine.encodeImage(long[slot]);
      let cpuAtFirst: NodeJS.CpuUsage | null = null;
      const answer = await engine.generate({ task: 'reasoning', images: long, maxNewTokens: options.steps + 1 }, (event) => {
        if (event.type === 'tokens' && cpuAtFirst === null) cpuAtFirst = process.cpuUsage();
      });
      const cpu = process.cpuUsage(cpuAtFirst ?? undefined);
      const steps = Math.max(1, answer.stats.tokensGenerated - 1);

      // 4. Dispatches of one decode step, in a child with onnxruntime's verbose log.
      log('counting the dispatches of one decode step…');
      const decoder = graphsFor(manifest, variant).get('decoder')!;
      const profile = await countDecodeDispatches(join(bundleDir, decoder.path), { timedRuns: 2 });
      const form = layoutFormName(describeDecoderLayout(await readFile(join(bundleDir, decoder.path))));

      const weightBytes = decoderWeightBytes(manifest, variant);
      const rooflineTokensPerSecond = bandwidth / weightBytes;
      return {
        shape: options.shape,
        variant,
        form,
        adapter: adapterLabel(adapter),
        writeSeconds,
        bundleBytes: manifest.files.reduce((sum, file) => sum + file.bytes, 0),
        context: answer.prompt.positions,
        decodeTokensPerSecond: answer.stats.decodeTokensPerSecond,
        prefillTokensPerSecond: answer.stats.prefillTokensPerSecond,
        ttftMs: firstToken,
        visionMs: median(visionRuns),
        dispatchesPerStep: profile.dispatches,
        hostMsPerStep: (cpu.user + cpu.system) / 1000 / steps,
        weightBytes,
        bandwidthGBs: bandwidth / 1e9,
        rooflineTokensPerSecond,
        rooflineFraction: answer.stats.decodeTokensPerSecond / rooflineTokensPerSecond,
        graphCapture: { enabled: false, reason: await nodeGraphCaptureRefusal() },
      };
    } finally {
      await engine.unload();
    }
  } finally {
    if (options.bundle === undefined && !options.keep) await rm(scratch, { recursive: true, force: true });
    else if (options.keep) log(`kept ${scratch}`);
  }
}

/**
 * Device-to-device copy bandwidth (bytes read plus bytes written per second) of 256 MiB buffers, the best of five
 * rounds of eight copies.
 */
async function copyBandwidth(): Promise<number> {
  const gpu = create([]) as GPU;
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new AppError('WEBGPU_UNAVAILABLE', 'No WebGPU adapter for the bandwidth measure.');
  const size = Math.min(256 << 20, adapter.limits.maxBufferSize);
  const { COPY_SRC, COPY_DST } = (globals as { GPUBufferUsage: typeof GPUBufferUsage }).GPUBufferUsage;
  const device = await adapter.requestDevice({ requiredLimits: { maxBufferSize: size } });
  try {
    const source = device.createBuffer({ size, usage: COPY_SRC | COPY_DST });
    const target = device.createBuffer({ size, usage: COPY_SRC | COPY_DST });
    const copies = 8;
    const round = async () => {
      const encoder = device.createCommandEncoder();
      for (let k = 0; k < copies; k++) encoder.copyBufferToBuffer(k % 2 === 0 ? source : target, 0, k % 2 === 0 ? target : source, 0, size);
      const started = performance.now();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      return (2 * size * copies) / ((performance.now() - started) / 1000);
    };
    await round();
    let best = 0;
    for (let k = 0; k < 5; k++) best = Math.max(best, await round());
    source.destroy();
    target.destroy();
    return best;
  } finally {
    device.destroy();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
