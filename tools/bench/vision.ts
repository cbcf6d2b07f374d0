/**
 * npm run bench:vision [-- --no-vit-l] [--no-browser]
 *
 * One Markdown table of the vision path's costs per image:
 * 1. DepictQA's preprocessing (src/core/vision: PIL bicubic resize, padding, normalisation) of 512², 1024² and
 *    4000×3000 RGB images;
 * 2. the vision graph on onnxruntime-web's wasm EP in Node (one thread: the wasm build's pthreads do not start
 *    in Node) at 224² and 224×672, for the tiny model and for a ViT-L/14-shaped random tower (24 layers, real
 *    shapes, projector to 4096, built in a temp dir with the tiny factory's CLIP writer), q4 variant (8-bit weights),
 *    plus a 4-bit build of the same tower at 224² for comparison;
 * 3. the tiny graph on WebGPU in headless Chromium, which here has only SwiftShader (a CPU emulation of a GPU): it
 *    checks that the graph opens with the CPU EP fallback disabled and matches wasm, but its times say nothing
 *    about a real GPU. No GPU is available on this machine, so there are no real WebGPU numbers.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatBytes } from '../../src/core/format.ts';
import { preprocessImage } from '../../src/core/vision/preprocess.ts';
import { DEPICTQA_WILD_RULE } from '../../src/core/vision/resizeRule.ts';
import type { RgbImage } from '../../src/core/vision/rgbImage.ts';
import { relativeMaxError } from '../testing/errorMetrics.ts';
import type { LlamaVariant } from '../../converter/llama/variants.ts';
import { writeVisionGraphs } from '../../converter/vision/convertVision.ts';
import { openTinyVision } from '../../converter/vision/testing/tinyVision.ts';
import { vitLShape, writeRandomTower } from '../../converter/vision/testing/randomTower.ts';
import type { VisionModel } from '../../converter/vision/clipConfig.ts';
import { writeVisionGraph } from '../../converter/vision/visionGraph.ts';
import { visionVariantSpecs, visionWeightBytes } from '../../converter/vision/visionVariants.ts';
import type { WrittenGraph } from '../../converter/onnx/ModelWriter.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { benchPixels, runVisionInChromium } from './visionBrowser.ts';
import { parseFlags } from '../../cli/flags/flags.ts';
import { nodeGpuAvailability } from '../../cli/host/nodeGpu.ts';
import { adapterLabel } from '../../src/core/capabilities.ts';

const USAGE = `Usage: npm run bench:vision [-- --no-vit-l] [--no-browser]`;

const flags = parseFlags(process.argv.slice(2), { 'no-vit-l': { type: 'boolean', default: false }, 'no-browser': { type: 'boolean', default: false } }, USAGE);
const rows: Array<[string, string, string]> = [];
const median = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);

/** A deterministic photo-like RGB image: smooth gradients plus a little texture. */
function syntheticImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const texture = ((x * 7919 + y * 104729) % 17) - 8;
      data[i] = Math.max(0, Math.min(255, (255 * x) / width + texture));
      data[i + 1] = Math.max(0, Math.min(255, (255 * y) / height - texture));
      data[i + 2] = Math.max(0, Math.min(255, 128 + 100 * Math.sin((x + y) / 40) + texture));
    }
  }
  return { width, height, data };
}

/** Median wall time of `repeats` runs of a graph at each size (after one warm-up run). */
async function timeGraph(dir: string, graph: WrittenGraph, sizes: Array<[number, number]>, repeats: number): Promise<Map<string, { ms: number; output: Float32Array }>> {
  const ort = await nodeOrt();
  const session = await openWrittenGraph(dir, graph);
  const out = new Map<string, { ms: number; output: Float32Array }>();
  for (const [height, width] of sizes) {
    const feeds = { pixel_values: new ort.Tensor('float32', benchPixels(height, width), [1, 3, height, width]) };
    let output = (await session.run(feeds)).image_features!.data as Float32Array;
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      output = (await session.run(feeds)).image_features!.data as Float32Array;
      times.push(performance.now() - started);
    }
    out.set(`${height}x${width}`, { ms: median(times), output });
  }
  await session.release();
  return out;
}

const SIZES: Array<[number, number]> = [
  [224, 224],
  [224, 672],
];
const scratch = await mkdtemp(join(tmpdir(), 'bench-vision-'));
try {
  // 1. Preprocessing.
  for (const [width, height, repeats] of [
    [512, 512, 9],
    [1024, 1024, 7],
    [4000, 3000, 3],
  ] as const) {
    const image = syntheticImage(width, height);
    preprocessImage(image, DEPICTQA_WILD_RULE);
    const times: number[] = [];
    let padded = '';
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      const result = preprocessImage(image, DEPICTQA_WILD_RULE);
      times.push(performance.now() - started);
      padded = `${result.padded.width}×${result.padded.height}`;
    }
    rows.push(['preprocess (resize, pad, normalise), Node', `${width}×${height} → ${padded}`, ms(median(times))]);
  }

  // 2a. The tiny model's q4 graph on wasm.
  const tiny = await openTinyVision(scratch, 1);
  const tinyDir = join(scratch, 'tiny');
  await mkdir(tinyDir);
  const [tinyQ4] = await writeVisionGraphs(tiny.clip.checkpoint, tiny.plan(false), tinyDir, { variants: ['q4'] });
  const tinyTimes = await timeGraph(tinyDir, tinyQ4!.graph, SIZES, 5);
  for (const [height, width] of SIZES) rows.push(['tiny vision graph (hidden 64, 2 layers), q4, wasm 1 thread', `${width}×${height}`, ms(tinyTimes.get(`${height}x${width}`)!.ms)]);
  await tiny.close();

  // 3. The same graph on WebGPU (SwiftShader), CPU fallback disabled, against wasm.
  if (!flags['no-browser']) {
    try {
      const browser = await runVisionInChromium(tinyDir, { model: tinyQ4!.graph.model.name, data: tinyQ4!.graph.data.map((file) => file.name) }, SIZES, { repeats: 3 });
      for (const run of browser.runs) {
        const wasm = tinyTimes.get(`${run.height}x${run.width}`)!.output.subarray(0, run.values.length);
        const error = relativeMaxError(wasm, run.values);
        rows.push([`tiny vision graph, q4, WebGPU on ${browser.adapter} (software; no CPU EP nodes; vs wasm ${error.toExponential(1)})`, `${run.width}×${run.height}`, ms(run.medianMs)]);
      }
    } catch (error) {
      rows.push(['tiny vision graph, WebGPU in Chromium', '—', `failed: ${(error as Error).message.split('\n')[0]}`]);
    }
  }

  // 2b. A ViT-L/14-shaped tower, 24 layers, q4 (8-bit) and a 4-bit build for comparison.
  if (!flags['no-vit-l']) {
    const towerDir = join(scratch, 'vit-l');
    await mkdir(towerDir);
    let started = performance.now();
    const tower = await writeRandomTower(towerDir, vitLShape(24), 4096, 3);
    const madeS = (performance.now() - started) / 1000;
    const variant: LlamaVariant = 'q4';
    started = performance.now();
    const q4 = await writeVisionGraph(variant, tower.model, tower.read, towerDir);
    const convertS = (performance.now() - started) / 1000;
    const bytes = (model: VisionModel, weights: 'int8' | 'int4') => visionWeightBytes(model, { ...visionVariantSpecs.q4, weights });
    console.error(`ViT-L-shaped tower: checkpoint written in ${madeS.toFixed(1)} s, q4 graph (${formatBytes(bytes(tower.model, 'int8'))}) in ${convertS.toFixed(1)} s`);
    const q4Times = await timeGraph(towerDir, q4, SIZES, 1);
    for (const [height, width] of SIZES) {
      rows.push([`ViT-L/14-shaped tower (24 layers) + projector, q4 = 8-bit weights (${formatBytes(bytes(tower.model, 'int8'))}), wasm 1 thread`, `${width}×${height}`, ms(q4Times.get(`${height}x${width}`)!.ms)]);
    }
    const int4 = await writeVisionGraph(variant, tower.model, tower.read, towerDir, { precision: { activation: 'float32', weights: 'int4' }, fileName: 'vision_encoder_int4.onnx' });
    const int4Times = await timeGraph(towerDir, int4, [[224, 224]], 1);
    rows.push([`same tower with 4-bit weights (${formatBytes(bytes(tower.model, 'int4'))}; not shipped), wasm 1 thread`, '224×224', ms(int4Times.get('224x224')!.ms)]);
    await tower.clip.checkpoint.close();
  }
  // This bench times the wasm EP only; what a GPU does with the vision graph is npm run bench:device's to measure.
  const gpu = await nodeGpuAvailability();
  const adapter = gpu.capabilities?.adapter;
  rows.push([
    'vision graph on the GPU (WebGPU)',
    '—',
    gpu.missing === null ? `not timed by this bench: npm run bench:device times it on ${adapter ? adapterLabel(adapter) : 'this adapter'}` : `not measurable on this machine: ${gpu.missing}`,
  ]);
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const load = loadavg().map((value) => value.toFixed(1)).join(' / ');
console.log(`\nVision path per image (${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, load average ${load} at the end, Node ${process.version}; medians)\n`);
console.log('| what | size (W×H) | time |');
console.log('|---|---|---|');
for (const [what, size, time] of rows) console.log(`| ${what} | ${size} | ${time} |`);
