/**
 * Measures what each weight precision costs the vision tower (the numbers quoted in visionVariants.ts):
 *   npx tsx tools/bench/visionPrecision.ts
 * 1. Relative RMS error of one weight matrix [4096, 1024] after int4 / int8 MatMulNBits quantization or fp16 rounding.
 * 2. The tiny tower + projector (tiny factory), graphs of each precision vs the fp32 graph, at the five test sizes.
 * 3. Two ViT-L-shaped layers (1024 wide, MLP 4096, 16 heads; random weights) + a projector to 4096, 224×224.
 * Graphs run on onnxruntime-web's wasm EP; errors are relative RMS (‖graph − fp32‖ / ‖fp32‖) and cosine similarity.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFloat16Bits } from '../../converter/onnx/float16.ts';
import { nodeOrt, openWrittenGraph } from '../../cli/host/ortNode.ts';
import { cosine, gaussianMatrix, laplaceMatrix, relativeRmsError } from '../testing/errorMetrics.ts';
import { openTinyVision, randomPixels } from '../../converter/vision/testing/tinyVision.ts';
import { vitLShape, writeRandomTower } from '../../converter/vision/testing/randomTower.ts';
import type { VisionModel } from '../../converter/vision/clipConfig.ts';
import { writeVisionGraph, type VisionWeightReader } from '../../converter/vision/visionGraph.ts';
import { effectiveWeight, type VisionPrecision } from '../../converter/vision/visionLinear.ts';

const PRECISIONS: Array<[string, VisionPrecision]> = [
  ['fp32 act, int4', { activation: 'float32', weights: 'int4' }],
  ['fp32 act, int8', { activation: 'float32', weights: 'int8' }],
  ['fp16 act, int4', { activation: 'float16', weights: 'int4' }],
  ['fp16 act, int8', { activation: 'float16', weights: 'int8' }],
  ['fp16 act, fp16', { activation: 'float16', weights: 'float16' }],
];

async function features(dir: string, model: VisionModel, read: VisionWeightReader, precision: VisionPrecision, sizes: Array<[number, number]>): Promise<Float32Array[]> {
  const ort = await nodeOrt();
  const name = `${precision.activation}_${precision.weights}.onnx`;
  const graph = await writeVisionGraph('fp32', model, read, dir, { precision, fileName: name });
  const session = await openWrittenGraph(dir, graph);
  const out: Float32Array[] = [];
  for (const [height, width] of sizes) {
    const result = await session.run({ pixel_values: new ort.Tensor('float32', randomPixels(height, width, height + width), [1, 3, height, width]) });
    const tensor = result.image_features!;
    out.push(tensor.type === 'float16' ? fromFloat16Bits(tensor.data as Uint16Array) : (tensor.data as Float32Array));
  }
  await session.release();
  return out;
}

async function compare(label: string, dir: string, model: VisionModel, read: VisionWeightReader, sizes: Array<[number, number]>): Promise<void> {
  const exact = await features(dir, model, read, { activation: 'float32', weights: 'float32' }, sizes);
  for (const [name, precision] of PRECISIONS) {
    const got = await features(dir, model, read, precision, sizes);
    const errors = got.map((values, i) => relativeRmsError(exact[i]!, values));
    const cosines = got.map((values, i) => cosine(exact[i]!, values));
    console.log(`${label}, ${name}: relative RMS error ≤ ${Math.max(...errors).toFixed(5)}, cosine ≥ ${Math.min(...cosines).toFixed(7)}`);
  }
}

const scratch = await mkdtemp(join(tmpdir(), 'vision-precision-'));
try {
  // 1. One matrix.
  const [n, k] = [4096, 1024];
  for (const [label, matrix] of [
    ['Gaussian', gaussianMatrix(n * k, 1)],
    ['Laplace', laplaceMatrix(n * k, 2)],
  ] as const) {
    const row = PRECISIONS.filter(([, p]) => p.activation === 'float16').map(([, p]) => `${p.weights} ${relativeRmsError(matrix, effectiveWeight(matrix, n, k, p)).toFixed(5)}`);
    console.log(`${label} [${n}, ${k}], relative RMS error: ${row.join(', ')}`);
  }
  // 2. The tiny tower.
  const tiny = await openTinyVision(scratch, 5);
  const plan = tiny.plan(false);
  const read: VisionWeightReader = async (name) => tiny.weights.get(name)!.data;
  const sizes: Array<[number, number]> = [[70, 70], [224, 224], [224, 336], [98, 672], [672, 224]];
  await compare('tiny tower + projector, 5 sizes', scratch, plan.model, read, sizes);
  await compare('tiny tower + Abstractor + projector, 5 sizes', scratch, tiny.plan(true).model, read, sizes);
  await tiny.close();
  // 3. Two ViT-L-shaped layers.
  const tower = await writeRandomTower(scratch, vitLShape(2), 4096, 7);
  await compare('2 ViT-L-shaped layers + projector, 224×224', scratch, tower.model, tower.read, [[224, 224]]);
  await tower.clip.checkpoint.close();
} finally {
  await rm(scratch, { recursive: true, force: true });
}
