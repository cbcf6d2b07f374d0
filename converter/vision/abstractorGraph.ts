/**
 * DepictQA's Abstractor inside the vision graph: 64 learned queries [1, Q, d] read the patch features through a
 * post-norm nn.TransformerDecoder (eval mode: no dropout), ReLU, no final norm:
 *   x = LN1(x + SelfAttention(x));  x = LN2(x + CrossAttention(x, patches));  x = LN3(x + linear2(relu(linear1(x))))
 * nn.MultiheadAttention's in_proj [3d, d] stacks the q, k, v projections: self-attention uses it whole (one
 * MatMul), cross-attention projects the queries with its first d rows and the patches with the other 2d.
 */
import type { ModelWriter } from '../onnx/ModelWriter.ts';
import { deltaVisionNames, type AbstractorConfig } from './clipConfig.ts';
import { activationData, addVisionLinear, type VisionPrecision } from './visionLinear.ts';
import { addAttention, addLayerNorm } from './visionNodes.ts';

/** Adds the Abstractor reading `patches` [1, N, d]; returns the name of its output [1, Q, d]. */
export async function addAbstractor(
  writer: ModelWriter,
  config: AbstractorConfig,
  precision: VisionPrecision,
  read: (name: string) => Promise<Float32Array>,
  patches: string,
): Promise<string> {
  const g = writer.graph;
  const { hiddenSize: d, intermediateSize: f, numHeads: heads, layerNormEps: eps } = config;
  // [Q, 1, d] sequence-first with batch 1 holds the same values as [1, Q, d].
  const queries = await read(deltaVisionNames.queries);
  let x = await writer.weight('abstractor.queries', precision.activation, [1, config.numQueries, d], activationData(precision, queries));
  const linear = async (name: string, input: string, output: string, names: { weight: string; bias: string }, k: number) =>
    addVisionLinear(writer, precision, { name, input, output, parts: [await read(names.weight)], biases: [await read(names.bias)], k });

  for (let i = 0; i < config.numLayers; i++) {
    const names = deltaVisionNames.layer(i);
    const p = `abstractor.layers.${i}`;
    // 1. Self-attention among the queries, residual, norm1.
    const selfIn = [await read(names.selfAttention.inProj.weight), await read(names.selfAttention.inProj.bias)];
    await addVisionLinear(writer, precision, { name: `${p}.self_attn.in_proj`, input: x, output: `${p}.self_qkv`, parts: [selfIn[0]!], biases: [selfIn[1]!], k: d });
    addAttention(writer, precision, `${p}.self_attn`, { qkv: `${p}.self_qkv` }, d, heads, `${p}.self_attended`);
    await linear(`${p}.self_attn.out_proj`, `${p}.self_attended`, `${p}.self_out`, names.selfAttention.outProj, d);
    g.node('Add', [x, `${p}.self_out`], [`${p}.self_residual`], { name: `${p}/self_residual` });
    x = await addLayerNorm(writer, precision, read, `${p}.norm1`, `${p}.self_residual`, names.norm1, eps);

    // 2. Cross-attention to the patches, residual, norm2.
    const crossWeight = await read(names.crossAttention.inProj.weight);
    const crossBias = await read(names.crossAttention.inProj.bias);
    await addVisionLinear(writer, precision, {
      name: `${p}.multihead_attn.q_proj`,
      input: x,
      output: `${p}.cross_q`,
      parts: [crossWeight.subarray(0, d * d)],
      biases: [crossBias.subarray(0, d)],
      k: d,
    });
    await addVisionLinear(writer, precision, {
      name: `${p}.multihead_attn.kv_proj`,
      input: patches,
      output: `${p}.cross_kv`,
      parts: [crossWeight.subarray(d * d)],
      biases: [crossBias.subarray(d)],
      k: d,
    });
    addAttention(writer, precision, `${p}.multihead_attn`, { q: `${p}.cross_q`, kv: `${p}.cross_kv` }, d, heads, `${p}.cross_attended`);
    await linear(`${p}.multihead_attn.out_proj`, `${p}.cross_attended`, `${p}.cross_out`, names.crossAttention.outProj, d);
    g.node('Add', [x, `${p}.cross_out`], [`${p}.cross_residual`], { name: `${p}/cross_residual` });
    x = await addLayerNorm(writer, precision, read, `${p}.norm2`, `${p}.cross_residual`, names.norm2, eps);

    // 3. Feed-forward (ReLU), residual, norm3.
    await linear(`${p}.linear1`, x, `${p}.linear1_out`, names.linear1, d);
    g.node('Relu', [`${p}.linear1_out`], [`${p}.relu`], { name: `${p}/relu` });
    await linear(`${p}.linear2`, `${p}.relu`, `${p}.linear2_out`, names.linear2, f);
    g.node('Add', [x, `${p}.linear2_out`], [`${p}.ffn_residual`], { name: `${p}/ffn_residual` });
    x = await addLayerNorm(writer, precision, read, `${p}.norm3`, `${p}.ffn_residual`, names.norm3, eps);
  }
  return x;
}
