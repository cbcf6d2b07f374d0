/**
 * Writes the vision graph of every requested variant from the CLIP checkpoint and the delta's vision tensors.
 * One variant at a time, each weight read when its layer is built and dropped after: every weight is read once
 * per variant, and peak memory is about one encoder layer in fp32 (≈ 50 MB for ViT-L) plus the quantized copy.
 */
import { AppError } from '../../src/core/errors.ts';
import type { Checkpoint } from '../checkpoint/types.ts';
import type { ExternalDataOptions } from '../onnx/ExternalDataWriter.ts';
import type { WrittenGraph } from '../onnx/ModelWriter.ts';
import type { LlamaVariant } from '../llama/variants.ts';
import { abstractorWeightShapes, clipWeightShapes } from './clipConfig.ts';
import type { VisionDelta } from './visionDelta.ts';
import type { VisionModel } from './clipConfig.ts';
import { writeVisionGraph, type VisionWeightReader } from './visionGraph.ts';

export interface VisionGraphs {
  variant: LlamaVariant;
  graph: WrittenGraph;
}

export interface WriteVisionOptions extends ExternalDataOptions {
  variants: readonly LlamaVariant[];
  /** Called after each weight is read, with its size in bytes as stored in the input file. */
  onWeight?: (name: string, bytes: number) => void;
}

/** Every tensor the vision graph of `model` reads: CLIP's and the delta's, with their shapes. */
export function visionWeightShapes(model: VisionModel): Map<string, number[]> {
  const shapes = clipWeightShapes(model.clip);
  if (model.abstractor !== null) for (const [name, shape] of abstractorWeightShapes(model.abstractor)) shapes.set(name, shape);
  return shapes
    .set('vision_proj.weight', [model.projection.outFeatures, model.projection.inFeatures])
    .set('vision_proj.bias', [model.projection.outFeatures]);
}

/** Writes `vision_encoder_<v>.onnx` (+ data chunks) into `dir` for each variant. */
export async function writeVisionGraphs(clip: Checkpoint, delta: VisionDelta, dir: string, options: WriteVisionOptions): Promise<VisionGraphs[]> {
  const shapes = visionWeightShapes(delta.model);
  const written: VisionGraphs[] = [];
  for (const variant of [...new Set(options.variants)]) {
    const seen = new Set<string>();
    const read: VisionWeightReader = async (name) => {
      const entry = delta.tensors.get(name) ?? clip.tensors.get(name);
      const shape = shapes.get(name);
      if (entry === undefined || shape === undefined) throw new AppError('INTERNAL', `vision graph: ${name} is not a vision weight`);
      if (seen.has(name)) throw new AppError('INTERNAL', `vision graph: ${name} was read twice for ${variant}`);
      seen.add(name);
      const data = await entry.read();
      options.onWeight?.(name, data.length * (entry.dtype === 'F32' ? 4 : 2));
      return data;
    };
    const graph = await writeVisionGraph(variant, delta.model, read, dir, options);
    const unused = [...shapes.keys()].filter((name) => !seen.has(name));
    if (unused.length > 0) throw new AppError('INTERNAL', `vision graph ${variant} did not use ${unused.join(', ')}`);
    written.push({ variant, graph });
  }
  return written;
}
