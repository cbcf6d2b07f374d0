/**
 * The vision graph (`vision_encoder_<variant>.onnx`): pixel_values [1, 3, H, W] (H, W multiples of 14) →
 * image_features [1, N, llm hidden], built layer by layer while its weights stream to the external data.
 *
 *   pixel_values ─► patches as rows ─► MatMul (the 14×14/14 conv) ─► + positions ─► [class row | patches]
 *     ─► pre LayerNorm ─► [LN ─► qkv MatMul ─► attention ─► out MatMul ─► +residual ─► LN ─► fc1 ─► QuickGelu
 *         ─► fc2 ─► +residual] × layers ─► drop the class row ─► (Abstractor) ─► vision_proj ─► image_features
 *
 * Nothing here computes on shapes, so onnxruntime-web's WebGPU EP runs every node itself (checked with the CPU
 * fallback disabled by tools/bench/vision.ts):
 * - The patch convolution is Reshape/Transpose/MatMul, not Conv: the WebGPU EP runs Conv in NHWC, and the layout
 *   transposes it adds turned the Shape of Conv's output into a Gather on int64, which has no WebGPU kernel.
 * - Positions: the table's 16×16 patch grid is stored as an image [1, C, 16, 16] and resized by `Resize` (cubic,
 *   a = −0.75, align_corners: PyTorch's bicubic with align_corners=True) on axes 2 and 3 to `sizes` = Shape(patches)
 *   [1:3] = [H/14, W/14], read straight from the patch rows [1, H/14, W/14, C]. Shape writes its int64 output to CPU
 *   memory and Resize reads `sizes` from there, both as WebGPU kernels.
 * - For a 16×16 grid the resize is the identity (the cubic weights at integer source positions are exactly 0, 1,
 *   0, 0; bit for bit on wasm, checked in visionGraph.test.ts, and on SwiftShader WebGPU), as DepictQA's skip of
 *   the interpolation for 224×224 inputs requires, so no `If` is needed.
 * The class row is stored with its position already added (one fp32 rounding, as in PyTorch). The embedding stage
 * runs in fp32 in every variant, then casts to the activation type.
 */
import { AppError } from '../../src/core/errors.ts';
import { attr, type Attribute } from '../onnx/GraphBuilder.ts';
import { ModelWriter, type WrittenGraph } from '../onnx/ModelWriter.ts';
import type { ExternalDataOptions } from '../onnx/ExternalDataWriter.ts';
import type { LlamaVariant } from '../llama/variants.ts';
import { addAbstractor } from './abstractorGraph.ts';
import { clipNames, positionGrid, type ClipVisionConfig, type VisionModel } from './clipConfig.ts';
import { addVisionLinear, type VisionPrecision } from './visionLinear.ts';
import { addAttention, addLayerNorm, int64Constant } from './visionNodes.ts';
import { checkPrecision, visionEncoderFileName, visionVariantSpecs } from './visionVariants.ts';

/** Reads one tensor by its checkpoint name (CLIP's `vision_model.*`, the delta's `vision_proj.*` / `abstractor.*`). */
export type VisionWeightReader = (name: string) => Promise<Float32Array>;

export const VISION_OPSETS = [
  // 18: Resize with `axes`, Shape with `start` / `end`.
  { domain: '', version: 18 },
  { domain: 'com.microsoft', version: 1 },
];

/**
 * Resize of the position grid [1, C, grid, grid] to the patch grid (the last two axes), as DepictQA's
 * F.interpolate(mode='bicubic', align_corners=True): PyTorch's cubic coefficient -0.75, no exclusion outside.
 */
export function positionResizeAttributes(): Record<string, Attribute> {
  return {
    axes: attr.ints([2, 3]),
    mode: attr.string('cubic'),
    coordinate_transformation_mode: attr.string('align_corners'),
    cubic_coeff_a: attr.float(-0.75),
    exclude_outside: attr.int(0),
  };
}

export interface VisionGraphOptions extends ExternalDataOptions {
  /** Overrides the variant's precision (the precision report compares weight types with it). */
  precision?: VisionPrecision;
  /** Output file name; defaults to `vision_encoder_<variant>.onnx`. */
  fileName?: string;
}

/** Writes one variant's vision graph (+ its data chunks) into `dir`, reading each weight once. */
export async function writeVisionGraph(
  variant: LlamaVariant,
  model: VisionModel,
  read: VisionWeightReader,
  dir: string,
  options: VisionGraphOptions = {},
): Promise<WrittenGraph> {
  const precision = options.precision ?? visionVariantSpecs[variant];
  checkPrecision(precision);
  const { clip } = model;
  if (model.projection.inFeatures !== clip.hidden_size) {
    throw new AppError('INTERNAL', `vision_proj reads ${model.projection.inFeatures} features, CLIP has ${clip.hidden_size}`);
  }
  return new ModelWriter(dir, options.fileName ?? visionEncoderFileName(variant), 'vision_encoder', options).building(async (writer) => {
    const g = writer.graph;
    g.input('pixel_values', 'float32', [1, 3, 'height', 'width']);
    const tokens = model.abstractor === null ? 'num_image_tokens' : model.abstractor.numQueries;
    g.output('image_features', precision.activation, [1, tokens, model.projection.outFeatures]);

    let x = await addEmbeddings(writer, clip, precision, read);
    for (let i = 0; i < clip.num_hidden_layers; i++) x = await addEncoderLayer(writer, clip, precision, read, i, x);

    // The last layer's output without the class row: DepictQA's forward_patch_features (no post_layernorm).
    const starts = int64Constant(writer, 'drop_class.starts', [1]);
    const ends = int64Constant(writer, 'drop_class.ends', [2 ** 62]);
    const axes = int64Constant(writer, 'drop_class.axes', [1]);
    g.node('Slice', [x, starts, ends, axes], ['patch_features'], { name: 'drop_class' }); // [1, N, C]
    x = 'patch_features';
    if (model.abstractor !== null) x = await addAbstractor(writer, model.abstractor, precision, read, x);

    const projection = await Promise.all([read('vision_proj.weight'), read('vision_proj.bias')]);
    await addVisionLinear(writer, precision, {
      name: 'vision_proj',
      input: x,
      output: 'image_features',
      parts: [projection[0]],
      biases: [projection[1]],
      k: clip.hidden_size,
    });
    const describe = `DepictQA vision encoder (CLIP ViT, ${clip.num_hidden_layers} layers${model.abstractor ? ', Abstractor' : ''}), ${variant}: ${precision.weights} weights, ${precision.activation} activations`;
    return writer.finish({ opsets: VISION_OPSETS, docString: describe });
  });
}

/** 1. Patch embedding, positions, class row, pre-LayerNorm → [1, 1 + N, C] in the activation type. */
async function addEmbeddings(writer: ModelWriter, clip: ClipVisionConfig, precision: VisionPrecision, read: VisionWeightReader): Promise<string> {
  const g = writer.graph;
  const { hidden_size: c, patch_size: patch } = clip;
  const grid = positionGrid(clip);
  const patchValues = 3 * patch * patch;

  // 1a. Patches as rows, by Reshape (0 copies a dimension, −1 infers one: no shape arithmetic) and Transpose:
  // [1, 3, H, W] → [1, 3, H, gridW, 14] → [1, 3, gridW, H, 14] → [1, 3, gridW, gridH, 14, 14]
  // → [1, gridH, gridW, 3, 14, 14] → [1, gridH, gridW, 588], each row in the kernel's (channel, y, x) order.
  g.node('Reshape', ['pixel_values', int64Constant(writer, 'split_columns_shape', [0, 0, 0, -1, patch])], ['pixel_columns'], { name: 'split_columns' });
  g.node('Transpose', ['pixel_columns'], ['pixel_columns_t'], { name: 'columns_first', attributes: { perm: attr.ints([0, 1, 3, 2, 4]) } });
  g.node('Reshape', ['pixel_columns_t', int64Constant(writer, 'split_rows_shape', [0, 0, 0, -1, patch, patch])], ['pixel_patches'], { name: 'split_rows' });
  g.node('Transpose', ['pixel_patches'], ['patches_last'], { name: 'patches_last', attributes: { perm: attr.ints([0, 3, 2, 1, 4, 5]) } });
  g.node('Reshape', ['patches_last', int64Constant(writer, 'patch_vectors_shape', [0, 0, 0, patchValues])], ['patch_vectors'], { name: 'flatten_patches' });
  // 1b. The 14×14 convolution (no bias) as one MatMul with its kernel [C, 3·14·14] transposed → [1, gridH, gridW, C].
  const kernel = await read(clipNames.patchEmbedding);
  const kernelT = new Float32Array(patchValues * c);
  for (let o = 0; o < c; o++) for (let i = 0; i < patchValues; i++) kernelT[i * c + o] = kernel[o * patchValues + i]!;
  const conv = await writer.weight('patch_embedding.weight_t', 'float32', [patchValues, c], kernelT);
  g.node('MatMul', ['patch_vectors', conv], ['patches'], { name: 'patch_embedding' });

  // 2. Positions [1 + grid², C]: the class row joins the class embedding, the grid becomes an image [1, C, grid, grid].
  const table = await read(clipNames.positionEmbedding);
  const classEmbedding = await read(clipNames.classEmbedding);
  const classRow = new Float32Array(c);
  for (let i = 0; i < c; i++) classRow[i] = classEmbedding[i]! + table[i]!;
  const gridImage = new Float32Array(c * grid * grid);
  for (let cell = 0; cell < grid * grid; cell++) for (let i = 0; i < c; i++) gridImage[i * grid * grid + cell] = table[(1 + cell) * c + i]!;
  const positions = await writer.weight('position_grid', 'float32', [1, c, grid, grid], gridImage);
  const classToken = await writer.weight('class_token', 'float32', [1, 1, c], classRow);
  g.node('Shape', ['patches'], ['patch_grid'], { name: 'patch_grid', attributes: { start: attr.int(1), end: attr.int(3) } }); // int64 [gridH, gridW]
  g.node('Resize', [positions, '', '', 'patch_grid'], ['positions'], { name: 'position_resize', attributes: positionResizeAttributes() }); // [1, C, gridH, gridW]
  g.node('Reshape', ['positions', int64Constant(writer, 'positions_flat_shape', [1, c, -1])], ['positions_flat'], { name: 'flatten_positions' });
  g.node('Transpose', ['positions_flat'], ['position_rows'], { name: 'position_rows', attributes: { perm: attr.ints([0, 2, 1]) } }); // [1, N, C]

  // 3. Patch rows plus positions, the class row in front.
  g.node('Reshape', ['patches', int64Constant(writer, 'patch_rows_shape', [1, -1, c])], ['patch_rows'], { name: 'patch_rows' }); // [1, N, C]
  g.node('Add', ['patch_rows', 'position_rows'], ['patch_tokens'], { name: 'add_positions' });
  g.node('Concat', [classToken, 'patch_tokens'], ['embeddings32'], { name: 'prepend_class', attributes: { axis: attr.int(1) } });
  let embeddings = 'embeddings32';
  if (precision.activation === 'float16') {
    g.node('Cast', ['embeddings32'], ['embeddings16'], { name: 'embeddings_fp16', attributes: { to: attr.int(10) } });
    embeddings = 'embeddings16';
  }
  return addLayerNorm(writer, precision, read, 'pre_layrnorm', embeddings, clipNames.preNorm, clip.layer_norm_eps);
}

/** 2. One pre-LN encoder layer: x + attention(LN(x)), then + MLP(LN(·)). */
async function addEncoderLayer(
  writer: ModelWriter,
  clip: ClipVisionConfig,
  precision: VisionPrecision,
  read: VisionWeightReader,
  i: number,
  x: string,
): Promise<string> {
  const g = writer.graph;
  const { hidden_size: c, intermediate_size: m, num_attention_heads: heads, layer_norm_eps: eps } = clip;
  const names = clipNames.layer(i);
  const p = `layers.${i}`;
  const normed = await addLayerNorm(writer, precision, read, `${p}.layer_norm1`, x, names.norm1, eps);
  const projections = [names.q, names.k, names.v];
  const parts: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (const projection of projections) {
    parts.push(await read(projection.weight));
    biases.push(await read(projection.bias));
  }
  await addVisionLinear(writer, precision, { name: `${p}.self_attn.qkv_proj`, input: normed, output: `${p}.qkv`, parts, biases, k: c });
  addAttention(writer, precision, `${p}.self_attn`, { qkv: `${p}.qkv` }, c, heads, `${p}.attn`);
  await addVisionLinear(writer, precision, {
    name: `${p}.self_attn.out_proj`,
    input: `${p}.attn`,
    output: `${p}.attn_out`,
    parts: [await read(names.out.weight)],
    biases: [await read(names.out.bias)],
    k: c,
  });
  g.node('Add', [x, `${p}.attn_out`], [`${p}.residual_attn`], { name: `${p}/residual_attn` });

  const normed2 = await addLayerNorm(writer, precision, read, `${p}.layer_norm2`, `${p}.residual_attn`, names.norm2, eps);
  await addVisionLinear(writer, precision, { name: `${p}.mlp.fc1`, input: normed2, output: `${p}.fc1`, parts: [await read(names.fc1.weight)], biases: [await read(names.fc1.bias)], k: c });
  g.node('QuickGelu', [`${p}.fc1`], [`${p}.gelu`], { domain: 'com.microsoft', name: `${p}/quick_gelu`, attributes: { alpha: attr.float(1.702) } });
  await addVisionLinear(writer, precision, { name: `${p}.mlp.fc2`, input: `${p}.gelu`, output: `${p}.fc2`, parts: [await read(names.fc2.weight)], biases: [await read(names.fc2.bias)], k: m });
  g.node('Add', [`${p}.residual_attn`, `${p}.fc2`], [`${p}.out`], { name: `${p}/residual_mlp` });
  return `${p}.out`;
}
