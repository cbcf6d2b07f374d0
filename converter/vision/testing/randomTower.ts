/**
 * A random CLIP vision tower of any shape, written as a CLIPVisionModel folder by the tiny factory's own CLIP
 * writer (fp32 safetensors, CLIP's initializer_range for matrices), with a random projector: the ViT-L-shaped
 * towers of the precision report and the bench.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSafetensors } from '../../checkpoint/safetensorsWriter.ts';
import { clipConfigJson } from '../../../tools/tiny/configs.ts';
import type { ClipShape } from '../../../tools/tiny/shapes.ts';
import { clipSources } from '../../../tools/tiny/weights.ts';
import { gaussianMatrix } from '../../../tools/testing/errorMetrics.ts';
import { openClipVision, type ClipInput } from '../openClip.ts';
import type { VisionModel } from '../clipConfig.ts';
import type { VisionWeightReader } from '../visionGraph.ts';

/** ViT-L/14's vision tower with fewer layers (the real one has 24). */
export function vitLShape(layers: number): ClipShape {
  return { hidden: 1024, layers, heads: 16, mlp: 4096, patch: 14, imageSize: 224, projectionDim: 768 };
}

export interface RandomTower {
  clip: ClipInput;
  model: VisionModel;
  /** Reads CLIP's tensors from the written file and the projector from memory. */
  read: VisionWeightReader;
}

/** Writes `dir/config.json` and `dir/model.safetensors`, opens them, and adds a projector to `outFeatures`. */
export async function writeRandomTower(dir: string, shape: ClipShape, outFeatures: number, seed: number): Promise<RandomTower> {
  await writeFile(join(dir, 'config.json'), JSON.stringify(clipConfigJson(shape)));
  await writeSafetensors(join(dir, 'model.safetensors'), clipSources(shape, seed));
  const clip = await openClipVision(dir);
  const scaled = (values: Float32Array) => values.map((v) => v * 0.02);
  const projection = new Map([
    ['vision_proj.weight', scaled(gaussianMatrix(outFeatures * shape.hidden, seed))],
    ['vision_proj.bias', scaled(gaussianMatrix(outFeatures, seed + 1))],
  ]);
  return {
    clip,
    model: { clip: clip.config, projection: { inFeatures: shape.hidden, outFeatures }, abstractor: null },
    read: async (name) => projection.get(name) ?? (await clip.checkpoint.tensors.get(name)!.read()),
  };
}
