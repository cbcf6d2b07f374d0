/**
 * The tiny factory's original files (CLIP safetensors + DepictQA delta with the Abstractor) opened the way the
 * converter opens them, and references of the vision path built from the same files: for the vision tests,
 * the precision report and the bench.
 */
import { join } from 'node:path';
import { openCheckpoint } from '../../checkpoint/index.ts';
import type { Checkpoint, DenseTensor } from '../../checkpoint/types.ts';
import { ClipVisionReference, type VisionPathReference } from '../../../tools/oracles/clip.ts';
import { AbstractorReference } from '../../../tools/oracles/clipAbstractor.ts';
import { seededRandom } from '../../../tools/oracles/randomLlama.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../../../tools/tiny/makeTinyCheckpoint.ts';
import { openClipVision, type ClipInput } from '../openClip.ts';
import { planVisionDelta, type VisionDelta } from '../visionDelta.ts';
import type { VisionModel } from '../clipConfig.ts';
import { effectiveWeight, type VisionPrecision } from '../visionLinear.ts';

export interface TinyVision {
  tiny: TinyCheckpoint;
  clip: ClipInput;
  delta: Checkpoint;
  /** Every CLIP and delta tensor, read once (fp32), for references. */
  weights: Map<string, DenseTensor>;
  /** The vision half of the delta, with or without its Abstractor keys. */
  plan(withAbstractor: boolean): VisionDelta;
  close(): Promise<void>;
}

export async function openTinyVision(dir: string, seed: number): Promise<TinyVision> {
  const tiny = await makeTinyCheckpoint({ out: join(dir, 'original'), seed, abstractor: true });
  const clip = await openClipVision(tiny.clipDir);
  const delta = await openCheckpoint(tiny.deltaPath);
  const weights = new Map<string, DenseTensor>();
  for (const checkpoint of [clip.checkpoint, delta]) {
    for (const [name, entry] of checkpoint.tensors) weights.set(name, { dtype: 'F32', shape: entry.shape, data: await entry.read() });
  }
  const llmHidden = tiny.shape.llm.hidden;
  return {
    tiny,
    clip,
    delta,
    weights,
    plan: (withAbstractor) => {
      const keys = new Map([...delta.tensors].filter(([name]) => name.startsWith('vision_proj.') || (withAbstractor && name.startsWith('abstractor.'))));
      return planVisionDelta(keys, tiny.deltaPath, clip.config, llmHidden);
    },
    close: async () => {
      await Promise.all([clip.checkpoint.close(), delta.close()]);
    },
  };
}

/**
 * The reference of `model` from `weights`; with `precision`, every Linear weight is first replaced by what a graph
 * of that precision computes with (its 4- or 8-bit dequantization or fp16 rounding).
 */
export function visionReference(weights: ReadonlyMap<string, DenseTensor>, model: VisionModel, precision?: VisionPrecision): VisionPathReference {
  let source: ReadonlyMap<string, DenseTensor> = weights;
  if (precision !== undefined) {
    const replaced = new Map<string, DenseTensor>();
    for (const [name, tensor] of weights) {
      // Linear weights are the 2-D tensors; the position table is 2-D too but is not a Linear.
      const isLinear = tensor.shape.length === 2 && !name.endsWith('position_embedding.weight');
      const [n = 0, k = 0] = tensor.shape;
      replaced.set(name, isLinear ? { ...tensor, data: effectiveWeight(tensor.data, n, k, precision) } : tensor);
    }
    source = replaced;
  }
  return {
    tower: new ClipVisionReference(model.clip, source),
    ...(model.abstractor === null ? {} : { abstractor: new AbstractorReference(model.abstractor, source) }),
    projection: { weight: source.get('vision_proj.weight')!.data, bias: source.get('vision_proj.bias')!.data },
  };
}

/** Seeded pixel values in CLIP's normalised range, [3, height, width]. */
export function randomPixels(height: number, width: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: 3 * height * width }, () => (random() - 0.5) * 4);
}
