/**
 * A bundle of a model's shape written straight in web-bundle form, for measuring a GPU: no checkpoint and no
 * quantization of real weights. The converter's own graph writers and manifest make it, so its graphs, names and
 * manifest are the converter's; only the values differ:
 * - every 4-bit Linear gets random 4-bit values (uniform, zero point 8) and one scale, 2⁻⁸ (weights of sd ≈ 0.018,
 *   so 32 layers of random weights keep finite activations in fp16);
 * - norms are 1, the embedding table is small random values;
 * - the vision tower (CLIP) and its projection come from the tiny factory's random sources, quantized by the
 *   converter as usual (304M parameters for ViT-L/14: seconds).
 * The manifest says `randomWeights`, so the app would warn that answers are noise.
 */
import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BundleManifest } from '../../../src/core/bundle/manifest.ts';
import { AppError } from '../../../src/core/errors.ts';
import { DEPICTQA_WILD_RULE } from '../../../src/core/vision/resizeRule.ts';
import { llamaNames, parseLlamaConfig, type LlamaConfig } from '../../../converter/checkpoint/llamaConfig.ts';
import { decodeInto } from '../../../converter/checkpoint/dtypes.ts';
import { byteLength, sourceBytes, type TensorSource } from '../../../converter/checkpoint/tensorSource.ts';
import type { Checkpoint, TensorEntry } from '../../../converter/checkpoint/types.ts';
import { writeManifest } from '../../../converter/convertBundle.ts';
import { llamaWeightShapes, writeLlamaGraphs } from '../../../converter/llama/convertLlama.ts';
import type { Quantizer } from '../../../converter/llama/linear.ts';
import type { LlamaVariant } from '../../../converter/llama/variants.ts';
import { DEFAULT_LORA_ALPHA, planLoraMerge } from '../../../converter/lora.ts';
import { BLOCK_SIZE } from '../../../converter/quantize.ts';
import { parseClipVisionConfig } from '../../../converter/vision/clipConfig.ts';
import { writeVisionGraphs } from '../../../converter/vision/convertVision.ts';
import { planVisionDelta } from '../../../converter/vision/visionDelta.ts';
import { clipConfigJson, llamaConfigJson } from '../../tiny/configs.ts';
import { SHAPES, type CheckpointShape } from '../../tiny/shapes.ts';
import { writeVicunaTokenizer } from '../../tiny/tokenizer.ts';
import { clipSources, deltaSources } from '../../tiny/weights.ts';
import { convertTokenizer } from '../../../converter/tokenizer/convertTokenizer.ts';

export type DeviceShape = 'tiny' | '100m' | 'llama-7b';
export const DEVICE_SHAPES: readonly DeviceShape[] = ['tiny', '100m', 'llama-7b'];

/** The tiny and 7B shapes of the factory, and a ~100M-parameter LLaMA with a CLIP ViT-B/14 between them. */
const SHAPE_OF: Record<DeviceShape, CheckpointShape> = {
  tiny: SHAPES.tiny,
  '100m': {
    ...SHAPES.tiny,
    name: 'tiny',
    llm: { hidden: 768, layers: 12, heads: 12, kvHeads: 12, mlp: 2048, vocab: 32000, maxPositions: 4096 },
    clip: { hidden: 768, layers: 12, heads: 12, mlp: 3072, patch: 14, imageSize: 224, projectionDim: 512 },
  },
  'llama-7b': SHAPES['llama-7b'],
};

/** 2⁻⁸: exact in fp16. With values uniform in 0…15 and zero point 8, weights of sd 4.6 · 2⁻⁸ ≈ 0.018. */
const SCALE = 2 ** -8;
/** Random bytes tiled over every 4-bit matrix: 16 MiB, offset per matrix. */
const TILE_BYTES = 1 << 24;

export interface DirectBundle {
  dir: string;
  manifest: BundleManifest;
  config: LlamaConfig;
  /** Bytes of the bundle's files. */
  bytes: number;
  elapsedMs: number;
}

export function llamaConfigFor(shape: DeviceShape): LlamaConfig {
  return parseLlamaConfig(llamaConfigJson(SHAPE_OF[shape].llm), `the ${shape} shape`);
}

export interface DirectBundleOptions {
  seed?: number;
  /** 4-bit decoder weights without zero points (`convert --symmetric`'s form). */
  symmetric?: boolean;
}

/** Writes the bundle of `shape` into `dir` (new or empty), its one variant `variant` (q4 or q4f16). */
export async function writeDirectBundle(dir: string, shape: DeviceShape, variant: LlamaVariant, options: DirectBundleOptions = {}): Promise<DirectBundle> {
  const seed = options.seed ?? 1;
  if (variant === 'fp32') throw new AppError('BAD_ARGUMENTS', 'A directly written bundle has 4-bit weights: choose q4 or q4f16.');
  const started = performance.now();
  const checkpointShape = SHAPE_OF[shape];
  const config = llamaConfigFor(shape);
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) throw new AppError('BAD_ARGUMENTS', `${dir} is not empty.`, { hint: 'Give a new or empty folder.' });
  const onnxDir = join(dir, 'onnx');
  await mkdir(onnxDir);

  // 1. The language model: the converter's graphs, its weights made here.
  const shapes = llamaWeightShapes(config);
  const zeros = new Map<number, Float32Array>();
  const read = async (name: string): Promise<Float32Array> => {
    const size = shapes.get(name)!.reduce((a, b) => a * b, 1);
    if (name === llamaNames.embedTokens) {
      const bytes = randomFillSync(new Int8Array(size));
      const table = new Float32Array(size);
      for (let k = 0; k < size; k++) table[k] = bytes[k]! * (0.02 / 128);
      return table;
    }
    if (shapes.get(name)!.length === 1) return new Float32Array(size).fill(1);
    // A Linear's values never reach the bundle: `randomQuantizer` makes its 4-bit weights. One zero array per size.
    let array = zeros.get(size);
    if (array === undefined) zeros.set(size, (array = new Float32Array(size)));
    return array;
  };
  const graphs = await writeLlamaGraphs(config, read, onnxDir, { variants: [variant], symmetric: options.symmetric ?? false, quantize: randomQuantizer() });
  zeros.clear();

  // 2. The vision tower and projection, from the factory's random sources, converted as usual.
  const clipConfig = parseClipVisionConfig(clipConfigJson(checkpointShape.clip), `the ${shape} CLIP shape`);
  const lora = planLoraMerge(sourcesCheckpoint(deltaSources(checkpointShape, seed), 'random delta').tensors, 'random delta', config, { alpha: DEFAULT_LORA_ALPHA });
  const visionDelta = planVisionDelta(lora.visionKeys, 'random delta', clipConfig, config.hidden_size);
  const visionGraphs = await writeVisionGraphs(sourcesCheckpoint(clipSources(checkpointShape.clip, seed), 'random CLIP'), visionDelta, onnxDir, { variants: [variant] });

  // 3. Vicuna's tokenizer, as the factory writes it.
  const scratch = await mkdtemp(join(tmpdir(), 'depictqa-direct-tokenizer-'));
  let tokenizerFiles: readonly string[];
  try {
    await writeVicunaTokenizer(scratch);
    tokenizerFiles = (await convertTokenizer(scratch, dir, { modelMaxLength: config.max_position_embeddings })).files;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }

  // 4. The converter's manifest.
  const manifest = await writeManifest(dir, join(dir, 'manifest.json'), {
    name: `depictqa-${shape}-shaped`,
    source: `written directly by bench:device: the ${shape} shape, random 4-bit weights, no checkpoint`,
    randomWeights: true,
    variants: [variant],
    config,
    lora: { rank: checkpointShape.loraRank, alpha: lora.alpha },
    graphs,
    vision: { model: visionDelta.model, rule: DEPICTQA_WILD_RULE, graphs: visionGraphs },
    tokenizerFiles,
  });
  let bytes = 0;
  for (const file of manifest.files) bytes += file.bytes;
  bytes += (await stat(join(dir, 'manifest.json'))).size;
  return { dir, manifest, config, bytes, elapsedMs: performance.now() - started };
}

/**
 * MatMulNBits inputs without a weight to quantize: random 4-bit values tiled from one random block (each matrix
 * from another offset), the scale `SCALE`, zero points 8 (or none, symmetric). The values only need to be
 * plausible: a speed measurement reads them, it does not judge them.
 */
export function randomQuantizer(): Quantizer {
  const tile = randomFillSync(new Uint8Array(TILE_BYTES));
  let offset = 0;
  return (_weight, n, k, options) => {
    const blockSize = options.blockSize ?? BLOCK_SIZE;
    const blocks = Math.ceil(k / blockSize);
    const packed = new Uint8Array(n * blocks * (blockSize / 2));
    for (let at = 0; at < packed.length; ) {
      const from = (offset = (offset + 7919) % TILE_BYTES);
      const take = Math.min(TILE_BYTES - from, packed.length - at);
      packed.set(tile.subarray(from, from + take), at);
      at += take;
    }
    const symmetric = options.symmetric ?? false;
    return {
      n,
      k,
      blockSize,
      blocks,
      packed,
      scales: new Float32Array(n * blocks).fill(SCALE),
      zeroPoints: symmetric ? undefined : new Uint8Array(n * Math.ceil(blocks / 2)).fill(0x88),
    };
  };
}

/** Tensor sources as a checkpoint the converter reads (each `read()` makes the values again). */
function sourcesCheckpoint(sources: readonly TensorSource[], file: string): Checkpoint {
  const tensors = new Map<string, TensorEntry>();
  for (const source of sources) {
    tensors.set(source.name, {
      name: source.name,
      dtype: source.dtype,
      shape: [...source.shape],
      file,
      read: async () => {
        const count = source.shape.reduce((a, b) => a * b, 1);
        const out = new Float32Array(count);
        const bytes = sourceBytes(source);
        if (bytes.length !== byteLength(source)) throw new AppError('INTERNAL', `${source.name}: ${bytes.length} bytes for [${source.shape.join(', ')}]`);
        decodeInto(source.dtype, bytes, count, out, 0);
        return out;
      },
    });
  }
  return { tensors, close: async () => {} };
}
