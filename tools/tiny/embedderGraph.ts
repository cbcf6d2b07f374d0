import { attr, GraphBuilder, type Attribute } from '../../converter/onnx/GraphBuilder.ts';
import type { EmbedderShape } from './embedderWeights.ts';

/**
 * BertModel as one ONNX graph with transformers.js' input and output names: input_ids, attention_mask,
 * token_type_ids (int64 [batch, tokens]) → last_hidden_state (float32 [batch, tokens, hidden]).
 * Plain opset-17 ops only (LayerNormalization, Erf GELU), so onnxruntime-node and -web both run it.
 * `weight(name)` gives a tensor of the Hugging Face state dict; Linear weights [out, in] are transposed here
 * into MatMul's [in, out].
 */
export function buildEmbedderGraph(shape: EmbedderShape, vocab: number, weight: (name: string) => Float32Array): GraphBuilder {
  const { hidden, heads, mlp } = shape;
  const headDim = hidden / heads;
  const g = new GraphBuilder('tiny_sentence_embedder');
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  const types = g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);

  const int64 = (name: string, values: number[], dims: number[]) => g.initializer(name, 'int64', dims, BigInt64Array.from(values.map(BigInt)));
  const scalar = (name: string, value: number) => g.initializer(name, 'float32', [], Float32Array.of(value));
  const tensor = (name: string, dims: number[]) => g.initializer(name, 'float32', dims, weight(name));
  const transposed = (name: string, out: number, input: number) => {
    const w = weight(name); // [out, in]
    const t = new Float32Array(out * input);
    for (let o = 0; o < out; o++) for (let i = 0; i < input; i++) t[i * out + o] = w[o * input + i]!;
    return g.initializer(`${name}.T`, 'float32', [input, out], t);
  };
  let n = 0;
  const node = (op: string, inputs: string[], attributes?: Record<string, Attribute>) =>
    g.node(op, inputs, [`${op.toLowerCase()}_${n++}`], attributes ? { attributes } : {})[0]!;
  const linear = (x: string, name: string, out: number, input: number) =>
    node('Add', [node('MatMul', [x, transposed(`${name}.weight`, out, input)]), tensor(`${name}.bias`, [out])]);
  const layerNorm = (x: string, name: string) =>
    node('LayerNormalization', [x, tensor(`${name}.weight`, [hidden]), tensor(`${name}.bias`, [hidden])], {
      axis: attr.int(-1),
      epsilon: attr.float(shape.layerNormEps),
    });

  // 1. Embeddings: word + position (0…tokens−1) + token type, then LayerNorm.
  const one = int64('one_i64', [1], []);
  const zero = int64('zero_i64', [0], []);
  const tokens = node('Gather', [node('Shape', [ids]), one], { axis: attr.int(0) });
  const positions = node('Range', [zero, tokens, one]);
  const words = node('Gather', [tensor('embeddings.word_embeddings.weight', [vocab, hidden]), ids], { axis: attr.int(0) });
  const place = node('Gather', [tensor('embeddings.position_embeddings.weight', [shape.maxPositions, hidden]), positions], { axis: attr.int(0) });
  const kind = node('Gather', [tensor('embeddings.token_type_embeddings.weight', [shape.typeVocab, hidden]), types], { axis: attr.int(0) });
  let x = layerNorm(node('Add', [node('Add', [words, place]), kind]), 'embeddings.LayerNorm');

  // 2. The attention bias [batch, 1, 1, tokens]: 0 where attended, float32's lowest value where masked (as BertModel).
  const masked = node('Sub', [scalar('one_f32', 1), node('Cast', [mask], { to: attr.int(1) })]);
  const bias = node('Unsqueeze', [node('Mul', [masked, scalar('mask_min', -3.4028234663852886e38)]), int64('mask_axes', [1, 2], [2])]);
  const splitHeads = int64('split_heads', [0, 0, heads, headDim], [4]);
  const mergeHeads = int64('merge_heads', [0, 0, hidden], [3]);
  const scale = scalar('attention_scale', 1 / Math.sqrt(headDim));
  const sqrt2 = scalar('sqrt2', Math.SQRT2);
  const half = scalar('half', 0.5);

  // 3. Encoder layers: post-norm self-attention and GELU (erf) MLP.
  for (let l = 0; l < shape.layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads4 = (name: string, perm: number[]) =>
      node('Transpose', [node('Reshape', [linear(x, `${p}.attention.self.${name}`, hidden, hidden), splitHeads])], { perm: attr.ints(perm) });
    const q = heads4('query', [0, 2, 1, 3]); // [batch, heads, tokens, headDim]
    const k = heads4('key', [0, 2, 3, 1]); // [batch, heads, headDim, tokens]
    const v = heads4('value', [0, 2, 1, 3]);
    const scores = node('Add', [node('Mul', [node('MatMul', [q, k]), scale]), bias]);
    const context = node('MatMul', [node('Softmax', [scores], { axis: attr.int(-1) }), v]);
    const merged = node('Reshape', [node('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), mergeHeads]);
    const attended = layerNorm(node('Add', [linear(merged, `${p}.attention.output.dense`, hidden, hidden), x]), `${p}.attention.output.LayerNorm`);
    const inner = linear(attended, `${p}.intermediate.dense`, mlp, hidden);
    const gelu = node('Mul', [node('Mul', [inner, half]), node('Add', [scalar(`gelu_one_${l}`, 1), node('Erf', [node('Div', [inner, sqrt2])])])]);
    x = layerNorm(node('Add', [linear(gelu, `${p}.output.dense`, hidden, mlp), attended]), `${p}.output.LayerNorm`);
  }
  g.node('Identity', [x], ['last_hidden_state']);
  g.output('last_hidden_state', 'float32', ['batch_size', 'sequence_length', hidden]);
  return g;
}
