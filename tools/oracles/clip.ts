/**
 * A plain fp32 oracle of DepictQA's vision path, for tests and benchmarks: it checks the exported
 * vision_encoder graphs. Clarity over speed: one row and one head at a time, float64 sums.
 * Checked against PyTorch (HF CLIPVisionModel transcribed, F.interpolate, nn.TransformerDecoder) in clip.test.ts.
 *
 *   pixels [3, H, W] ─► conv 14×14/14 ─► [class | patches] + positions (16×16 grid resized bicubic,
 *   align_corners, to H/14 × W/14) ─► pre_layrnorm ─► [LN ─► attention ─► +residual ─► LN ─► fc2(quickGelu(fc1))
 *   ─► +residual] × layers ─► drop the class row ─► [N, hidden]  (─► Abstractor ─► [queries, hidden]) ─► vision_proj
 */
import { AppError } from '../../src/core/errors.ts';
import { interpolatePositionEmbedding } from '../../src/core/vision/positionEmbedding.ts';
import { clipNames, clipWeightShapes, positionGrid, type ClipVisionConfig } from '../../converter/vision/clipConfig.ts';
import type { AbstractorReference } from './clipAbstractor.ts';
import { add, attention, layerNorm, linearBias, quickGeluInPlace } from './clipMath.ts';
import { shapedReader, type Linear, type VisionWeights } from './shapedReader.ts';

interface EncoderLayer {
  norm1: Linear;
  q: Linear;
  k: Linear;
  v: Linear;
  out: Linear;
  norm2: Linear;
  fc1: Linear;
  fc2: Linear;
}

export class ClipVisionReference {
  private readonly classEmbedding: Float32Array; // [hidden]
  private readonly patchEmbedding: Float32Array; // [hidden, 3, patch, patch]
  private readonly positionEmbedding: Float32Array; // [1 + grid², hidden]
  private readonly preNorm: Linear;
  private readonly layers: EncoderLayer[] = [];

  /** Reads and checks every tensor up front; throws AppError('CHECKPOINT_INVALID') on a missing or misshapen one. */
  constructor(
    readonly config: ClipVisionConfig,
    weights: VisionWeights,
  ) {
    const { read, linear: pair } = shapedReader(weights, clipWeightShapes(config), 'CLIP vision weights');
    this.classEmbedding = read(clipNames.classEmbedding);
    this.patchEmbedding = read(clipNames.patchEmbedding);
    this.positionEmbedding = read(clipNames.positionEmbedding);
    this.preNorm = pair(clipNames.preNorm);
    for (let i = 0; i < config.num_hidden_layers; i++) {
      const n = clipNames.layer(i);
      this.layers.push({
        norm1: pair(n.norm1),
        q: pair(n.q),
        k: pair(n.k),
        v: pair(n.v),
        out: pair(n.out),
        norm2: pair(n.norm2),
        fc1: pair(n.fc1),
        fc2: pair(n.fc2),
      });
    }
  }

  /**
   * The last encoder layer's output without the class row (DepictQA's `forward_patch_features`).
   * pixels [3, height, width] (CLIP-normalised, sides multiples of the patch) → [gridH·gridW, hidden].
   */
  patchFeatures(pixels: Float32Array, height: number, width: number): Float32Array {
    const { hidden_size: hidden, patch_size: patch, layer_norm_eps: eps } = this.config;
    if (height % patch !== 0 || width % patch !== 0 || height < patch || width < patch || pixels.length !== 3 * height * width) {
      throw new AppError('BAD_ARGUMENTS', `CLIP reference: pixels of ${pixels.length} values for 3 × ${height} × ${width} (sides must be multiples of ${patch})`);
    }
    const gridH = height / patch;
    const gridW = width / patch;
    const tokens = 1 + gridH * gridW;

    // 1. Embeddings: class row, then the patches row by row, plus the (resized) positions.
    const positions = interpolatePositionEmbedding(this.positionEmbedding, hidden, gridH, gridW);
    const grid = positionGrid(this.config);
    if (positions.length !== tokens * hidden || this.positionEmbedding.length !== (1 + grid * grid) * hidden) {
      throw new AppError('INTERNAL', 'CLIP reference: position table and grid disagree');
    }
    const embeddings = new Float32Array(tokens * hidden);
    for (let c = 0; c < hidden; c++) embeddings[c] = this.classEmbedding[c]! + positions[c]!;
    const patchSize = 3 * patch * patch;
    for (let py = 0; py < gridH; py++) {
      for (let px = 0; px < gridW; px++) {
        const row = 1 + py * gridW + px;
        for (let c = 0; c < hidden; c++) {
          let sum = 0;
          for (let channel = 0; channel < 3; channel++) {
            for (let ky = 0; ky < patch; ky++) {
              const pixelRow = (channel * height + py * patch + ky) * width + px * patch;
              const weightRow = c * patchSize + (channel * patch + ky) * patch;
              for (let kx = 0; kx < patch; kx++) sum += this.patchEmbedding[weightRow + kx]! * pixels[pixelRow + kx]!;
            }
          }
          embeddings[row * hidden + c] = Math.fround(sum) + positions[row * hidden + c]!;
        }
      }
    }

    // 2. pre_layrnorm and the encoder layers.
    let x = layerNorm(embeddings, this.preNorm.weight, this.preNorm.bias, tokens, hidden, eps);
    for (const layer of this.layers) x = this.encoderLayer(layer, x, tokens);

    // 3. Drop the class row.
    return x.slice(hidden);
  }

  private encoderLayer(layer: EncoderLayer, x: Float32Array, rows: number): Float32Array {
    const { hidden_size: h, intermediate_size: m, num_attention_heads: heads, layer_norm_eps: eps } = this.config;
    const normed = layerNorm(x, layer.norm1.weight, layer.norm1.bias, rows, h, eps);
    const q = linearBias(normed, layer.q.weight, layer.q.bias, rows, h, h);
    const k = linearBias(normed, layer.k.weight, layer.k.bias, rows, h, h);
    const v = linearBias(normed, layer.v.weight, layer.v.bias, rows, h, h);
    const attended = attention(q, k, v, rows, rows, h, heads);
    const residual = add(x, linearBias(attended, layer.out.weight, layer.out.bias, rows, h, h));
    const normed2 = layerNorm(residual, layer.norm2.weight, layer.norm2.bias, rows, h, eps);
    const inner = quickGeluInPlace(linearBias(normed2, layer.fc1.weight, layer.fc1.bias, rows, h, m));
    return add(residual, linearBias(inner, layer.fc2.weight, layer.fc2.bias, rows, m, h));
  }
}

/** DepictQA's `clip_encode` for one image: patch features, the Abstractor when there is one, then `vision_proj`. */
export interface VisionPathReference {
  tower: ClipVisionReference;
  abstractor?: AbstractorReference;
  /** vision_proj: weight [out, hidden], bias [out]. */
  projection: { weight: Float32Array; bias: Float32Array };
}

/** pixels [3, H, W] → image rows for the LLM [N or queries, out]. */
export function referenceImageFeatures(path: VisionPathReference, pixels: Float32Array, height: number, width: number): Float32Array {
  const rows = (height / path.tower.config.patch_size) * (width / path.tower.config.patch_size);
  return projectFeatures(path, path.tower.patchFeatures(pixels, height, width), rows);
}

/** The tower's patch features [rows, hidden] → (Abstractor →) vision_proj → [rows or queries, out]. */
export function projectFeatures(path: VisionPathReference, patchFeatures: Float32Array, patchRows: number): Float32Array {
  const hidden = path.tower.config.hidden_size;
  let rows = patchRows;
  let features = patchFeatures;
  if (path.abstractor !== undefined) {
    features = path.abstractor.forward(features, rows);
    rows = path.abstractor.config.numQueries;
  }
  const out = path.projection.bias.length;
  if (path.projection.weight.length !== out * hidden) {
    throw new AppError('CHECKPOINT_INVALID', `vision_proj: ${path.projection.weight.length} weights for [${out}, ${hidden}]`);
  }
  return linearBias(features, path.projection.weight, path.projection.bias, rows, hidden, out);
}
