/**
 * The tiny model for engine tests: original-format files from the tiny factory, converted by the real
 * converter, and the fp32 reference forward pass of the same weights read from the ORIGINAL files
 * (LoRA merged by the reference merge; for q4, the weights as the converter quantizes them).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleVariant } from '../../../src/core/bundle/manifest.ts';
import { llamaNames, parseLlamaConfig, type LlamaConfig } from '../../../converter/checkpoint/llamaConfig.ts';
import { openCheckpoint } from '../../../converter/checkpoint/index.ts';
import type { DenseTensor } from '../../../converter/checkpoint/types.ts';
import { convertBundle } from '../../../converter/convertBundle.ts';
import { SILENT_PROGRESS } from '../../../converter/progress.ts';
import { llamaWeightShapes } from '../../../converter/llama/convertLlama.ts';
import type { LlamaVariant } from '../../../converter/llama/variants.ts';
import { dequantizeMatMulNBits, quantizeMatMulNBits } from '../../../converter/quantize.ts';
import { roundToFloat16InPlace } from '../../../converter/onnx/float16.ts';
import { LlamaReference } from '../../../tools/oracles/llama.ts';
import { referenceLoraMerge } from '../../../tools/oracles/loraReference.ts';
import type { TinyEdits } from '../../../tools/tiny/imageAnswer.ts';
import { makeTinyCheckpoint, type TinyCheckpoint } from '../../../tools/tiny/makeTinyCheckpoint.ts';
import { openClipVision } from '../../../converter/vision/openClip.ts';
import { visionReference } from '../../../converter/vision/testing/tinyVision.ts';
import { planVisionDelta } from '../../../converter/vision/visionDelta.ts';
import { visionVariantSpecs } from '../../../converter/vision/visionVariants.ts';
import { referenceImageFeatures } from '../../../tools/oracles/clip.ts';


export interface TinyBundle {
  tiny: TinyCheckpoint;
  bundleDir: string;
  config: LlamaConfig;
}

export interface TinyBundleOptions {
  seed?: number;
  /** Convert the CLIP tower too, so that the bundle has vision graphs. */
  vision?: boolean;
  /** Changes to the random tensors (e.g. `imageAnswerEdits`, for a known answer). */
  edits?: TinyEdits;
  /** DepictQA's Abstractor in the delta, converted with the model's config.yaml (images resized to 1024 / 2048). */
  abstractor?: boolean;
}

/** Writes the tiny checkpoint and its bundle under `root` (seconds). */
export async function buildTinyBundle(root: string, variants: readonly LlamaVariant[], options: TinyBundleOptions = {}): Promise<TinyBundle> {
  const tiny = await makeTinyCheckpoint({
    out: join(root, 'original'),
    seed: options.seed ?? 3,
    ...(options.edits === undefined ? {} : { edits: options.edits }),
    ...(options.abstractor === true ? { abstractor: true } : {}),
  });
  const bundleDir = join(root, 'bundle');
  await convertBundle({
    llm: tiny.llmDir,
    delta: tiny.deltaPath,
    ...(options.vision === true ? { clip: tiny.clipDir } : {}),
    ...(options.abstractor === true ? { config: tiny.configPath } : {}),
    out: bundleDir,
    variants,
    progress: SILENT_PROGRESS,
  });
  const config = parseLlamaConfig(JSON.parse(await readFile(join(tiny.llmDir, 'config.json'), 'utf8')), 'config.json');
  return { tiny, bundleDir, config };
}

/** LoRA-merged fp32 weights read from the original Vicuna and delta files. */
export async function mergedWeights(bundle: TinyBundle): Promise<Map<string, DenseTensor>> {
  const llm = await openCheckpoint(bundle.tiny.llmDir);
  const delta = await openCheckpoint(bundle.tiny.deltaPath);
  try {
    const merged = new Map<string, DenseTensor>();
    for (const name of llamaWeightShapes(bundle.config).keys()) {
      const entry = llm.tensors.get(name)!;
      let tensor: DenseTensor = { dtype: 'F32', shape: entry.shape, data: await entry.read() };
      const lora = /^model\.layers\.(\d+)\.self_attn\.([qkvo])_proj\.weight$/.exec(name);
      if (lora !== null) {
        const read = async (half: 'A' | 'B'): Promise<DenseTensor> => {
          const part = delta.tensors.get(`llm.base_model.model.model.layers.${lora[1]}.self_attn.${lora[2]}_proj.lora_${half}.default.weight`)!;
          return { dtype: 'F32', shape: part.shape, data: await part.read() };
        };
        tensor = referenceLoraMerge(tensor, await read('A'), await read('B'), 16);
      }
      merged.set(name, tensor);
    }
    return merged;
  } finally {
    await Promise.all([llm.close(), delta.close()]);
  }
}

/**
 * The reference forward pass with the weights the variant holds: merged fp32 for fp32; for q4, every matrix
 * quantized and dequantized as the converter does and the embedding table rounded to fp16; for q4f16 also the
 * scales and the norms' weights in fp16 (its activations stay fp32 here: that is what fp16 adds on top).
 */
export function referenceFor(bundle: TinyBundle, merged: ReadonlyMap<string, DenseTensor>, variant: BundleVariant): LlamaReference {
  if (variant === 'fp32') return new LlamaReference(bundle.config, merged);
  const scaleType = variant === 'q4f16' ? 'float16' : 'float32';
  const weights = new Map<string, DenseTensor>();
  for (const [name, tensor] of merged) {
    let data = tensor.data;
    if (name === llamaNames.embedTokens || (variant === 'q4f16' && tensor.shape.length === 1)) data = roundToFloat16InPlace(Float32Array.from(data));
    else if (tensor.shape.length === 2) {
      const [n, k] = tensor.shape as [number, number];
      data = dequantizeMatMulNBits(quantizeMatMulNBits(data, n, k, { scaleType }));
    }
    weights.set(name, { ...tensor, data });
  }
  return new LlamaReference(bundle.config, weights);
}

/**
 * The vision path's reference (CLIP tower, projector) read from the original CLIP and delta files, with the
 * variant's Linear weights as its graph computes with them: preprocessed pixels [3, H, W] → rows [N, hidden].
 */
export async function visionReferenceFor(bundle: TinyBundle, variant: BundleVariant): Promise<(pixels: Float32Array, height: number, width: number) => Float32Array> {
  const clip = await openClipVision(bundle.tiny.clipDir);
  const delta = await openCheckpoint(bundle.tiny.deltaPath);
  try {
    const weights = new Map<string, DenseTensor>();
    for (const checkpoint of [clip.checkpoint, delta]) {
      for (const [name, entry] of checkpoint.tensors) weights.set(name, { dtype: 'F32', shape: entry.shape, data: await entry.read() });
    }
    const keys = new Map([...delta.tensors].filter(([name]) => name.startsWith('vision_proj.') || name.startsWith('abstractor.')));
    const plan = planVisionDelta(keys, bundle.tiny.deltaPath, clip.config, bundle.config.hidden_size);
    const path = visionReference(weights, plan.model, variant === 'fp32' ? undefined : visionVariantSpecs[variant]);
    return (pixels, height, width) => referenceImageFeatures(path, pixels, height, width);
  } finally {
    await Promise.all([clip.checkpoint.close(), delta.close()]);
  }
}
