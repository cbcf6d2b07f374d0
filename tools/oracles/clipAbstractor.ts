/**
 * A plain fp32 oracle of DepictQA's Abstractor (src/model/clip/abstractor.py, add_pos_emd false): learned
 * queries read the patch features through PyTorch's nn.TransformerDecoder in eval mode, post-norm
 * (norm_first=False), ReLU, no final norm:
 *   x = norm1(x + SelfAttention(x))
 *   x = norm2(x + CrossAttention(x, patches))
 *   x = norm3(x + linear2(relu(linear1(x))))
 * nn.MultiheadAttention's in_proj_weight [3d, d] stacks the q, k and v projections in that order.
 */
import { abstractorWeightShapes, deltaVisionNames, type AbstractorConfig } from '../../converter/vision/clipConfig.ts';
import { shapedReader, type Linear, type VisionWeights } from './shapedReader.ts';
import { add, attention, layerNorm, linearBias, reluInPlace } from './clipMath.ts';

interface DecoderLayer {
  selfIn: Linear; // [3d, d]
  selfOut: Linear;
  crossIn: Linear; // [3d, d]
  crossOut: Linear;
  linear1: Linear;
  linear2: Linear;
  norm1: Linear;
  norm2: Linear;
  norm3: Linear;
}

export class AbstractorReference {
  private readonly queries: Float32Array; // [queries, d]
  private readonly layers: DecoderLayer[] = [];

  constructor(
    readonly config: AbstractorConfig,
    weights: VisionWeights,
  ) {
    const { read, linear: pair } = shapedReader(weights, abstractorWeightShapes(config), 'Abstractor weights');
    this.queries = read(deltaVisionNames.queries); // [queries, 1, d] with batch 1 is [queries, d] row-major
    for (let i = 0; i < config.numLayers; i++) {
      const n = deltaVisionNames.layer(i);
      this.layers.push({
        selfIn: pair(n.selfAttention.inProj),
        selfOut: pair(n.selfAttention.outProj),
        crossIn: pair(n.crossAttention.inProj),
        crossOut: pair(n.crossAttention.outProj),
        linear1: pair(n.linear1),
        linear2: pair(n.linear2),
        norm1: pair(n.norm1),
        norm2: pair(n.norm2),
        norm3: pair(n.norm3),
      });
    }
  }

  /** patches [rows, d] → [queries, d]. */
  forward(patches: Float32Array, rows: number): Float32Array {
    const { numQueries: q, hiddenSize: d, intermediateSize: f, numHeads: heads, layerNormEps: eps } = this.config;
    let x: Float32Array = this.queries.slice();
    for (const layer of this.layers) {
      // 1. Self-attention among the queries.
      const [sq, sk, sv] = projectQkv(layer.selfIn, x, q, d, 'qkv');
      const selfAttended = linearBias(attention(sq!, sk!, sv!, q, q, d, heads), layer.selfOut.weight, layer.selfOut.bias, q, d, d);
      x = layerNorm(add(x, selfAttended), layer.norm1.weight, layer.norm1.bias, q, d, eps);
      // 2. Cross-attention: queries from x, keys and values from the patches.
      const [cq] = projectQkv(layer.crossIn, x, q, d, 'q');
      const [, ck, cv] = projectQkv(layer.crossIn, patches, rows, d, 'kv');
      const crossAttended = linearBias(attention(cq!, ck!, cv!, q, rows, d, heads), layer.crossOut.weight, layer.crossOut.bias, q, d, d);
      x = layerNorm(add(x, crossAttended), layer.norm2.weight, layer.norm2.bias, q, d, eps);
      // 3. Feed-forward.
      const inner = reluInPlace(linearBias(x, layer.linear1.weight, layer.linear1.bias, q, d, f));
      const ffn = linearBias(inner, layer.linear2.weight, layer.linear2.bias, q, f, d);
      x = layerNorm(add(x, ffn), layer.norm3.weight, layer.norm3.bias, q, d, eps);
    }
    return x;
  }
}

/** The q, k and/or v projections of nn.MultiheadAttention's packed in_proj; parts not asked for are undefined. */
function projectQkv(inProj: Linear, x: Float32Array, rows: number, d: number, which: 'qkv' | 'q' | 'kv'): Array<Float32Array | undefined> {
  const part = (index: number) =>
    linearBias(x, inProj.weight.subarray(index * d * d, (index + 1) * d * d), inProj.bias.subarray(index * d, (index + 1) * d), rows, d, d);
  return [which === 'kv' ? undefined : part(0), which === 'q' ? undefined : part(1), which === 'q' ? undefined : part(2)];
}
