/**
 * npm run bench:engine -- --llama-7b --device node-webgpu [--bundle DIR] [--keep] [--load-only | --answer] [--steps N]
 *
 * The 7B-shaped model (Vicuna-7B shapes, random values) on onnxruntime-node's WebGPU EP: the engine's own load and
 * decode path on the machine's GPU driver (Mesa's lavapipe on a machine without a GPU; on a real GPU, the same
 * command measures it). Without --bundle, the tiny factory writes the checkpoint (--shape llama-7b, 14.7 GB) and
 * the converter makes the variant the adapter picks (q4f16 with shader-f16, else q4; no vision graph); the
 * checkpoint is deleted once the bundle exists, the bundle afterwards unless --keep. Reports the adapter, load
 * time, peak RSS of this process, the time of each decode step (the decode probe: BOS, then N steps of one
 * position), the decoder weights read per second against memory bandwidth, and the GPU dispatches of one step.
 * --answer runs a description answer of 3 tokens instead of the probe; --load-only only loads.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { graphsFor, type BundleVariant } from '../../src/core/bundle/manifest.ts';
import { adapterLabel } from '../../src/core/capabilities.ts';
import { formatBytes } from '../../src/core/format.ts';
import { nodeGpuAvailability, nodeGpuOrt } from '../../cli/host/nodeGpu.ts';
import { createNodeEngine, nodeEngineHost } from '../../cli/host/nodeHost.ts';
import { fixedRowsEncoder } from '../../cli/host/testing/fixedRowsEncoder.ts';
import { randomPng } from '../../cli/host/testing/testImages.ts';
import { countDecodeDispatches } from '../../cli/host/dispatches/countDecodeDispatches.ts';
import { decoderWeightBytes } from './engine/benchBundles.ts';
import { make7bBundle } from './engine/llama7bBundle.ts';
import { markdownTable, measureMemoryBandwidth } from './engine/benchTable.ts';
import { runDecodeProbe } from './engine/decodeProbe.ts';
import { memAvailable } from './engine/memorySampler.ts';
import { createRunLog, timedOrt } from './engine/timedOrt.ts';
import type { Llama7bMode } from './engine7b.ts';
import { readBundleManifest } from '../../cli/host/folderBundle.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export async function runLlama7bNodeGpu(options: { bundle?: string; keep: boolean; mode: Llama7bMode; steps: number }): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'depictqa-bench-engine7b-gpu-'));
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const rows: Array<[string, string]> = [];
  let peakRss = 0;
  let lowestAvailable = Number.POSITIVE_INFINITY;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    lowestAvailable = Math.min(lowestAvailable, memAvailable());
  }, 250);
  try {
    const gpu = await nodeGpuAvailability();
    if (gpu.capabilities === null) throw new Error(`--device node-webgpu: ${gpu.missing}`);
    const adapter = gpu.capabilities.adapter!;
    const variant: BundleVariant = gpu.capabilities.variant;
    rows.push(['adapter', `${adapterLabel(adapter)} (${adapter.vendor}, ${adapter.architecture}${adapter.isFallbackAdapter ? '; software' : ''}), shader-f16 ${adapter.hasShaderF16 ? 'yes' : 'no'}`]);

    const bundleDir = options.bundle ?? (await make7bBundle(scratch, variant, rows, log));
    const manifest = await readBundleManifest(bundleDir);
    if (!manifest.variants.includes(variant)) throw new Error(`${bundleDir} has no ${variant} variant (it has ${manifest.variants.join(', ')}): convert it with --precision ${variant}`);
    const decoderBytes = decoderWeightBytes(manifest, variant);
    rows.push([`bundle (${variant})`, `decoder ${formatBytes(decoderBytes)}, ${manifest.files.length} files`]);

    const source = { kind: 'path' as const, path: bundleDir };
    const runLog = createRunLog();
    const overrides = { runtime: async () => timedOrt(nodeGpuOrt(), runLog), imageEncoder: async ({ hiddenSize }: { hiddenSize: number }) => fixedRowsEncoder(hiddenSize) };
    log(`loading on WebGPU in Node, then ${{ probe: `${options.steps} decode steps`, answer: 'an answer of 3 tokens', 'load-only': 'nothing' }[options.mode]}…`);
    if (options.mode === 'answer') {
      const engine = createNodeEngine({ ...overrides, tokenIntervalMs: 0 }, 'webgpu');
      const info = await engine.load(source, undefined, { variant, maxContext: 256 });
      rows.push(['load (folder → WebGPU sessions)', seconds(info.loadMs)]);
      const image = await randomPng('small.png', 70, 70, 5);
      const { id } = await engine.encodeImage(image);
      const result = await engine.generate({ task: 'description', images: { a: id }, question: { text: 'How is the quality of this image?' }, maxNewTokens: 3 });
      const s = result.stats;
      rows.push(['prefill', `${s.prefillTokens} positions in ${seconds(s.prefillMs)} (${s.prefillTokensPerSecond.toFixed(2)} tok/s; chunks of ${info.prefillChunk})`]);
      rows.push(['decode', `${s.decodeTokensPerSecond.toFixed(3)} tok/s over ${s.tokensGenerated} tokens`]);
      await engine.unload();
    } else if (options.mode === 'probe' || options.mode === 'load-only') {
      const result = await runDecodeProbe(nodeEngineHost(overrides, 'webgpu'), runLog, { source, options: { variant, maxContext: 256 }, steps: options.mode === 'probe' ? options.steps : 0 }, log);
      rows.push(['load (folder → WebGPU sessions)', seconds(result.loadMs)]);
      if (options.mode === 'probe') {
        rows.push(['first run (BOS, empty cache)', seconds(result.firstRunMs)]);
        for (const step of result.steps) rows.push([`decode step after ${step.past} cached positions`, `${seconds(step.ms)} (decoder session.run ${seconds(step.decoderRunMs)})`]);
        const sorted = result.steps.map((step) => step.ms).sort((a, b) => a - b);
        const medianMs = sorted[Math.floor(sorted.length / 2)]!;
        rows.push(['decode step, median', `${seconds(medianMs)} over ${sorted.length} steps`]);
        const bandwidth = measureMemoryBandwidth();
        const read = decoderBytes / (medianMs / 1000);
        rows.push(['decoder weights read per second while decoding', `${formatBytes(read)}/s (${((read / bandwidth.readBytesPerSecond) * 100).toFixed(1)}% of ${formatBytes(bandwidth.readBytesPerSecond)}/s, one thread)`]);
        rows.push(['greedy tokens after BOS', result.tokens.slice(1).join(' ')]);
      }
    }
    rows.push(['peak RSS of this process', formatBytes(peakRss)]);
    rows.push(['lowest MemAvailable on the machine', formatBytes(lowestAvailable)]);
    if (options.mode === 'probe') {
      log('counting the GPU dispatches of one decode step…');
      const decoder = join(bundleDir, graphsFor(manifest, variant).get('decoder')!.path);
      const profile = await countDecodeDispatches(decoder, { timedRuns: 1 });
      rows.push(['GPU dispatches per decode step', String(profile.dispatches)]);
    }
  } catch (error) {
    rows.push(['failed', (error as Error).message.split('\n')[0]!]);
    process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    if (options.keep) log(`kept ${scratch}`);
    else await rm(scratch, { recursive: true, force: true });
  }
  const load = loadavg().map((value) => value.toFixed(2)).join(' / ');
  console.log(`\n7B-shaped model on WebGPU in Node (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${load} at the end)\n`);
  console.log(markdownTable(['measure', 'value'], rows));
}
