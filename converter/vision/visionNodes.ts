/** Node groups shared by the CLIP tower and the Abstractor graphs: LayerNorm, attention, int64 constants. */
import { attr } from '../onnx/GraphBuilder.ts';
import type { ModelWriter } from '../onnx/ModelWriter.ts';
import { activationData, type VisionPrecision } from './visionLinear.ts';

/** A small int64 constant inside the .onnx file (Slice bounds, Reshape shapes, Split sizes). */
export function int64Constant(writer: ModelWriter, name: string, values: number[]): string {
  return writer.constant(name, 'int64', [values.length], BigInt64Array.from(values, (v) => BigInt(v)));
}

/** nn.LayerNorm over the last axis; statistics in fp32 (stash_type 1) whatever the activation type. */
export async function addLayerNorm(
  writer: ModelWriter,
  precision: VisionPrecision,
  read: (name: string) => Promise<Float32Array>,
  name: string,
  input: string,
  names: { weight: string; bias: string },
  eps: number,
): Promise<string> {
  const [weight, bias] = [await read(names.weight), await read(names.bias)];
  const scale = await writer.weight(`${name}.weight`, precision.activation, [weight.length], activationData(precision, weight));
  const shift = await writer.weight(`${name}.bias`, precision.activation, [bias.length], activationData(precision, bias));
  writer.graph.node('LayerNormalization', [input, scale, shift], [name], {
    name: `${name}/LayerNormalization`,
    attributes: { axis: attr.int(-1), epsilon: attr.float(eps), stash_type: attr.int(1) },
  });
  return name;
}

/**
 * Multi-head attention without mask, softmax(q·kᵀ/√d)·v per head, from packed projections: `qkv` [1, S, 3·width]
 * for self-attention, or `q` [1, S, width] with `kv` [1, L, 2·width] for cross-attention. Writes `output`
 * [1, S, width]. Plain MatMul / Softmax rather than com.microsoft MultiHeadAttention: onnxruntime-web's WebGPU
 * MultiHeadAttention returned results off by 1–13% (relative to the largest value) for 32 or more query rows
 * on the SwiftShader adapter, while these ops match the wasm EP (tools/bench/vision.ts checks it).
 */
export function addAttention(
  writer: ModelWriter,
  precision: VisionPrecision,
  name: string,
  inputs: { qkv: string } | { q: string; kv: string },
  width: number,
  heads: number,
  output: string,
): void {
  const g = writer.graph;
  const d = width / heads;
  let q: string;
  const [k, v] = [`${name}.k`, `${name}.v`];
  if ('qkv' in inputs) {
    q = `${name}.q`;
    const sizes = int64Constant(writer, `${name}.qkv_split`, [width, width, width]);
    g.node('Split', [inputs.qkv, sizes], [q, k, v], { name: `${name}/split_qkv`, attributes: { axis: attr.int(-1) } });
  } else {
    q = inputs.q;
    const sizes = int64Constant(writer, `${name}.kv_split`, [width, width]);
    g.node('Split', [inputs.kv, sizes], [k, v], { name: `${name}/split_kv`, attributes: { axis: attr.int(-1) } });
  }
  // 1. Heads apart: [1, rows, width] → [1, rows, heads, d] → [1, heads, rows, d] (keys: [1, heads, d, rows]).
  const headShape = int64Constant(writer, `${name}.head_shape`, [1, -1, heads, d]);
  const split = (input: string, perm: number[], out: string) => {
    g.node('Reshape', [input, headShape], [`${out}_rows`], { name: `${out}/reshape` });
    g.node('Transpose', [`${out}_rows`], [out], { name: `${out}/transpose`, attributes: { perm: attr.ints(perm) } });
  };
  // HF scales q by 1/√d before the product (CLIPAttention; nn.MultiheadAttention does the same).
  const scale = writer.constant(`${name}.scale`, precision.activation, [], activationData(precision, Float32Array.of(1 / Math.sqrt(d))));
  g.node('Mul', [q, scale], [`${name}.q_scaled`], { name: `${name}/scale` });
  split(`${name}.q_scaled`, [0, 2, 1, 3], `${name}.q_heads`);
  split(k, [0, 2, 3, 1], `${name}.k_heads`);
  split(v, [0, 2, 1, 3], `${name}.v_heads`);
  // 2. Scores [1, heads, S, L], softmax over the keys, weighted values [1, heads, S, d].
  g.node('MatMul', [`${name}.q_heads`, `${name}.k_heads`], [`${name}.scores`], { name: `${name}/scores` });
  g.node('Softmax', [`${name}.scores`], [`${name}.weights`], { name: `${name}/softmax`, attributes: { axis: attr.int(-1) } });
  g.node('MatMul', [`${name}.weights`, `${name}.v_heads`], [`${name}.context`], { name: `${name}/context` });
  // 3. Heads back together: [1, S, heads, d] → [1, S, width].
  g.node('Transpose', [`${name}.context`], [`${name}.context_rows`], { name: `${name}/merge_transpose`, attributes: { perm: attr.ints([0, 2, 1, 3]) } });
  g.node('Reshape', [`${name}.context_rows`, int64Constant(writer, `${name}.merged_shape`, [1, -1, width])], [output], { name: `${name}/merge` });
}
